import type { Pool } from 'pg';
import { LOG_START, type LogPosition } from './log-position.js';

/** Where each relay stopped, stored next to the log so that a restarted relay resumes there. */
/** The relay's checkpoint: how far the log has been read into projection jobs. */
export const RELAYED_CHECKPOINT = 'projection';
/**
 * How far relayed jobs have been applied to the projection: the end of the last relayed stretch
 * projected. The log past it is the projection's lag; it lives here rather than in Redis so that it
 * survives Redis losing its data.
 */
export const PROJECTED_CHECKPOINT = 'projected';

export class RelayCheckpoints {
  constructor(private readonly pool: Pool) {}

  async load(relay: string): Promise<LogPosition> {
    const { rows } = await this.pool.query<{ transaction_id: string; position: string }>(
      'SELECT transaction_id::text, position::text FROM relay_checkpoints WHERE relay = $1',
      [relay],
    );
    const row = rows[0];
    return row ? { transactionId: row.transaction_id, position: row.position } : LOG_START;
  }

  /** Moves the checkpoint forward; a relay that lost its leadership cannot move it back. */
  async save(relay: string, position: LogPosition): Promise<void> {
    await this.pool.query(
      `INSERT INTO relay_checkpoints (relay, transaction_id, position) VALUES ($1, $2::xid8, $3::bigint)
       ON CONFLICT (relay) DO UPDATE SET transaction_id = excluded.transaction_id, position = excluded.position, updated_at = now()
       WHERE (relay_checkpoints.transaction_id, relay_checkpoints.position) < (excluded.transaction_id, excluded.position)`,
      [relay, position.transactionId, position.position],
    );
  }
}
