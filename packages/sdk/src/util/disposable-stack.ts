/**
 * runAll runs every step in order even when some throw, then rethrows the first error.
 * Disposal paths use it so one failing close never leaks the resources after it.
 */
export function runAll(steps: Iterable<() => void>): void {
  let failed = false;
  let first: unknown;
  for (const step of steps) {
    try {
      step();
    } catch (e) {
      if (!failed) {
        failed = true;
        first = e;
      }
    }
  }
  if (failed) throw first;
}

/**
 * DisposableStack is a small stand-in for the TC39 `DisposableStack`, which Node 20 lacks.
 * Resources are disposed in reverse order; an error from one disposal does not stop the
 * others, and the first error is rethrown at the end.
 */
export class DisposableStack implements Disposable {
  #items: (() => void)[] = [];
  #disposed = false;

  get disposed(): boolean {
    return this.#disposed;
  }

  /** use registers `value` (anything with `Symbol.dispose`, or null/undefined) and returns it. */
  use<T extends Disposable | null | undefined>(value: T): T {
    this.#check();
    if (value !== null && value !== undefined) {
      this.#items.push(() => value[Symbol.dispose]());
    }
    return value;
  }

  /** adopt registers `value` with a release function and returns it. */
  adopt<T>(value: T, release: (value: T) => void): T {
    this.#check();
    this.#items.push(() => release(value));
    return value;
  }

  /** defer registers a callback to run on disposal. */
  defer(fn: () => void): void {
    this.#check();
    this.#items.push(fn);
  }

  /** move transfers every registered resource to a new stack; this one becomes disposed and empty. */
  move(): DisposableStack {
    this.#check();
    const next = new DisposableStack();
    next.#items = this.#items;
    this.#items = [];
    this.#disposed = true;
    return next;
  }

  dispose(): void {
    this[Symbol.dispose]();
  }

  [Symbol.dispose](): void {
    if (this.#disposed) return;
    this.#disposed = true;
    const items = this.#items;
    this.#items = [];
    runAll(items.reverse());
  }

  #check(): void {
    if (this.#disposed) throw new ReferenceError("DisposableStack already disposed");
  }
}
