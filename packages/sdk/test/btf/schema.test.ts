import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseDescription, parseDescriptionText } from "../../src/btf/json.js";
import { CASES } from "./descriptions.js";

const root = fileURLToPath(new URL("../../../../", import.meta.url));
const schema = JSON.parse(readFileSync(`${root}packages/sdk/schema/description.schema.json`, "utf8"));
const doc = readFileSync(`${root}docs/json-description.md`, "utf8");

describe("the documented schema", () => {
  it("the example in docs/json-description.md lowers", () => {
    const example = /```json\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(example).toBeDefined();
    const r = parseDescriptionText(example!, "example.json");
    expect(r.btf.find("task_ctx", "struct")).toMatchObject({ size: 56 });
    expect(r.btf.find("pkt", "struct")).toMatchObject({ size: 8 });
    expect(r.storage).toHaveLength(1);
  });

  it("the JSON Schema allows exactly the keys the lowering accepts", () => {
    expect(Object.keys(schema.properties).sort()).toEqual(["$schema", "enums", "storage", "structs", "typedefs"]);
    expect(Object.keys(schema.$defs.member.properties).sort()).toEqual(["align", "bits", "name", "type"]);
    expect(Object.keys(schema.$defs.compositeBody.properties).sort()).toEqual(["align", "kind", "members", "packed"]);
    expect(Object.keys(schema.$defs.enum.properties).sort()).toEqual(["name", "size", "values"]);
    expect(Object.keys(schema.$defs.storage.properties).sort()).toEqual(["name", "owner", "value"]);
    // Unknown keys are rejected by both.
    expect(() => parseDescription({ structs: [{ name: "a", members: [], extra: 1 }] })).toThrow(/unknown property/);
  });

  it("every test case uses only keys the schema declares", () => {
    const allowed = new Set(["$schema", "structs", "enums", "typedefs", "storage", "name", "kind", "packed", "align", "members", "type", "bits", "size", "values", "owner", "value"]);
    const walk = (v: unknown, inValues: boolean): void => {
      if (Array.isArray(v)) v.forEach((x) => walk(x, false));
      else if (v !== null && typeof v === "object") {
        for (const [k, x] of Object.entries(v)) {
          if (!inValues) expect(allowed.has(k), k).toBe(true);
          walk(x, k === "values");
        }
      }
    };
    for (const c of CASES) walk(c.json, false);
  });
});
