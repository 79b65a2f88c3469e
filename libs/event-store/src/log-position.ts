/**
 * A place in the log in commit order: the writing transaction's id, then the event's position.
 * Both are 64-bit integers, kept as decimal strings. Reading in this order, only up to the oldest
 * transaction still running, is what lets a reader resume from a position without ever skipping
 * an event whose transaction commits after a later-numbered one.
 */
export interface LogPosition {
  transactionId: string;
  position: string;
}

export const LOG_START: LogPosition = { transactionId: '0', position: '0' };

export function compareLogPositions(a: LogPosition, b: LogPosition): number {
  const byTransaction = compareDecimal(a.transactionId, b.transactionId);
  return byTransaction !== 0 ? byTransaction : compareDecimal(a.position, b.position);
}

function compareDecimal(a: string, b: string): number {
  const difference = BigInt(a) - BigInt(b);
  return difference === 0n ? 0 : difference < 0n ? -1 : 1;
}
