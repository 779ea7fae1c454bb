/** SQLSTATEs worth retrying: serialization, deadlock, connection loss, server shutting down, too many clients. */
export const TRANSIENT_SQLSTATES: ReadonlySet<string> = new Set([
  '40001',
  '40P01',
  '08000',
  '08003',
  '08006',
  '08001',
  '08004',
  '57P01',
  '53300',
]);
