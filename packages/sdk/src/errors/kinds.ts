import { BpfSkelError, type ErrorPlace } from "./base.js";

/** BtfError: malformed or unsupported BTF (raw `.BTF` bytes or a vmlinux file). */
export class BtfError extends BpfSkelError {
  declare readonly input?: string;
  declare readonly typeId?: number;
  declare readonly offset?: number;
}

/** ElfError: malformed ELF, or an ELF that is not a BPF object we can read. */
export class ElfError extends BpfSkelError {
  declare readonly input?: string;
  declare readonly section?: string;
  declare readonly offset?: number;
}

/** DescriptionError: a JSON struct description that does not fit the schema. */
export class DescriptionError extends BpfSkelError {
  declare readonly input?: string;
  declare readonly path?: string;
}

/** LayoutError: a type whose layout cannot be computed or a region that breaks the layout contract. */
export class LayoutError extends BpfSkelError {}

/** LoaderError: a BPF object that parses but cannot be loaded (unknown section, unsatisfied relocation). */
export class LoaderError extends BpfSkelError {}

/** StaleHandleError: a storage handle whose entry was freed or reused. */
export class StaleHandleError extends BpfSkelError {}

/** ClosedError: use of a map, storage or object after it was closed. */
export class ClosedError extends BpfSkelError {}

/** BpfSyscallError: a failed bpf(2) (or mmap, perf_event_open…) call; message reads `BPF_MAP_CREATE: EPERM`. */
export class BpfSyscallError extends BpfSkelError {
  readonly command: string;
  readonly errno: number;
  readonly code: string;

  constructor(command: string, errno: number, code: string, detail?: string, place: ErrorPlace = {}) {
    super(`${command}: ${code}${detail ? ` (${detail})` : ""}`, place);
    this.command = command;
    this.errno = errno;
    this.code = code;
  }
}

/**
 * VerifierError: the kernel's verifier rejected a program. `log` holds the whole verifier
 * log; the message shows its last useful lines.
 */
export class VerifierError extends BpfSkelError {
  readonly log: string;
  readonly errno: number;

  constructor(program: string, errno: number, code: string, log: string, place: ErrorPlace = {}) {
    super(`program ${program} rejected by the verifier: ${code}\n${VerifierError.tail(log)}`, {
      symbol: program,
      ...place,
    });
    this.log = log;
    this.errno = errno;
  }

  /** tail returns the last lines of a verifier log that explain a rejection. */
  static tail(log: string, lines = 12): string {
    const all = log.split("\n").filter((l) => l.trim() !== "" && !l.startsWith("processed "));
    return all.slice(-lines).join("\n");
  }
}

const guard =
  <T extends BpfSkelError>(name: string) =>
  (e: unknown): e is T =>
    typeof e === "object" && e !== null && (e as { name?: unknown }).name === name;

// Guards check `name`, not `instanceof`, so they work across duplicated package copies.
export const isBtfError = guard<BtfError>("BtfError");
export const isElfError = guard<ElfError>("ElfError");
export const isDescriptionError = guard<DescriptionError>("DescriptionError");
export const isLayoutError = guard<LayoutError>("LayoutError");
export const isLoaderError = guard<LoaderError>("LoaderError");
export const isStaleHandleError = guard<StaleHandleError>("StaleHandleError");
export const isClosedError = guard<ClosedError>("ClosedError");
export const isBpfSyscallError = guard<BpfSyscallError>("BpfSyscallError");
export const isVerifierError = guard<VerifierError>("VerifierError");
