import { DescriptionError } from "../errors/index.js";

/**
 * Doc is a cursor into a JSON document: the value plus its JSON-pointer path, so every
 * complaint names where in the document it is ("/structs/0/members/2/type").
 */
export class Doc {
  constructor(
    readonly value: unknown,
    readonly path: string,
    readonly input: string,
  ) {}

  fail(reason: string): never {
    throw new DescriptionError(reason, { input: this.input, path: this.path || "/" });
  }

  /** at steps into a property or array index (missing → undefined value). */
  at(key: string | number): Doc {
    const v = this.value as Record<string | number, unknown> | undefined;
    const child = v !== null && typeof v === "object" && Object.prototype.hasOwnProperty.call(v, key) ? v[key] : undefined;
    return new Doc(child, `${this.path}/${String(key).replace(/~/g, "~0").replace(/\//g, "~1")}`, this.input);
  }

  has(key: string): boolean {
    return this.isObject() && Object.prototype.hasOwnProperty.call(this.value, key);
  }

  isObject(): boolean {
    return this.value !== null && typeof this.value === "object" && !Array.isArray(this.value);
  }

  object(allowed?: readonly string[]): Doc {
    if (!this.isObject()) this.fail(`expected an object, got ${describe(this.value)}`);
    if (allowed) {
      for (const k of Object.keys(this.value as object)) {
        if (!allowed.includes(k)) this.at(k).fail(`unknown property "${k}" (allowed: ${allowed.join(", ")})`);
      }
    }
    return this;
  }

  /** items returns the elements of an array (an absent optional array is []). */
  items(optional = false): Doc[] {
    if (this.value === undefined && optional) return [];
    if (!Array.isArray(this.value)) this.fail(`expected an array, got ${describe(this.value)}`);
    return (this.value as unknown[]).map((_, i) => this.at(i));
  }

  /** entries returns the properties of an object in document order. */
  entries(): [string, Doc][] {
    this.object();
    return Object.keys(this.value as object).map((k) => [k, this.at(k)]);
  }

  string(): string {
    if (typeof this.value !== "string") this.fail(`expected a string, got ${describe(this.value)}`);
    return this.value as string;
  }

  optionalString(): string | undefined {
    return this.value === undefined ? undefined : this.string();
  }

  /** integer accepts a safe integer in [min, max]. */
  integer(min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): number {
    const v = this.value;
    if (typeof v !== "number" || !Number.isSafeInteger(v)) this.fail(`expected an integer, got ${describe(v)}`);
    if ((v as number) < min || (v as number) > max) this.fail(`${v} is out of range [${min}, ${max}]`);
    return v as number;
  }

  optionalInteger(min?: number, max?: number): number | undefined {
    return this.value === undefined ? undefined : this.integer(min, max);
  }

  /** bigint accepts an integer number (safe) or a decimal/0x-hex string, for 64-bit values. */
  bigint(): bigint {
    const v = this.value;
    if (typeof v === "number") {
      if (!Number.isSafeInteger(v)) this.fail(`${v} is not an exact integer; write values beyond 2^53 as strings`);
      return BigInt(v);
    }
    if (typeof v === "string" && /^-?(0x[0-9a-fA-F]+|\d+)$/.test(v)) {
      return v.startsWith("-") ? -BigInt(v.slice(1)) : BigInt(v);
    }
    return this.fail(`expected an integer or an integer string, got ${describe(v)}`);
  }

  boolean(): boolean {
    if (typeof this.value !== "boolean") this.fail(`expected true or false, got ${describe(this.value)}`);
    return this.value as boolean;
  }
}

function describe(v: unknown): string {
  if (v === undefined) return "nothing";
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "string") return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  return typeof v === "object" ? "an object" : `${typeof v} ${String(v)}`;
}
