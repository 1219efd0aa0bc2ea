/** isBpfSkelError recognises the SDK's typed errors by their `place` and `reason` (not instanceof, so duplicated package copies work). */
export function isBpfSkelError(e: unknown): e is Error & { reason: string } {
  return e instanceof Error && typeof (e as { reason?: unknown }).reason === "string" && "place" in e;
}
