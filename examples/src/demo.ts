// The main demo: runs with no root and no compiler. Filled in as the SDK grows.
import { Btf } from "@bpf-skel/sdk";

const btf = new Btf([]);
console.log(`bpf-skel demo: empty BTF has ${btf.count} type id(s)`);
