// Recognises database errors that mean "someone else got there first", on both dialects, so
// stores can turn them into a CONFLICT naming the thing instead of an internal error.
/** PostgreSQL deadlock or serialization failure: the transaction did nothing and may be re-run. */
export function isTransientConflict(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === '40P01' || code === '40001';
}

export function isUniqueViolation(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505';
}
