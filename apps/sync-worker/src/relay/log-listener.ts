import { Logger } from '@nestjs/common';
import pg from 'pg';

/**
 * The relay's own Postgres connection. It LISTENs for appends (a notification only wakes the
 * relay, which then reads the table) and holds the relay's leadership: a session advisory lock,
 * so that of several sync-workers on one schema exactly one relays, and another takes over when
 * its connection goes. A lost connection is re-opened with jittered exponential backoff.
 */
export class LogListener {
  private readonly logger = new Logger(LogListener.name);
  private client?: pg.Client;
  private leading = false;
  private failures = 0;
  private reconnectTimer?: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly options: { databaseUrl: string; schema: string },
    private readonly onWake: () => void,
  ) {}

  async start(): Promise<void> {
    const client = new pg.Client({ connectionString: this.options.databaseUrl, application_name: 'claims-relay' });
    client.on('notification', () => this.onWake());
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${client.escapeIdentifier(`claims_events_${this.options.schema}`)}`);
      this.client = client;
      this.failures = 0;
      // Whatever was appended while nobody listened is read now.
      this.onWake();
    } catch (error) {
      this.lost(client, error as Error);
    }
  }

  /** Whether this process is the relay: tries to take the lead when connected and not leading yet. */
  async lead(): Promise<boolean> {
    if (this.client && !this.leading) {
      const { rows } = await this.client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [
        `claims-enrichment:relay:${this.options.schema}`,
      ]);
      this.leading = rows[0]!.locked;
      if (this.leading) this.logger.log(`relaying schema "${this.options.schema}"`);
    }
    return this.leading;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    const client = this.client;
    this.client = undefined;
    this.leading = false;
    await client?.end().catch(() => undefined);
  }

  private lost(client: pg.Client, error?: Error): void {
    if (this.closed || (this.client !== undefined && this.client !== client) || this.reconnectTimer) return;
    if (this.leading) this.logger.warn(`lost the relay connection${error ? `: ${error.message}` : ''}`);
    this.client = undefined;
    this.leading = false;
    client.removeAllListeners('notification');
    client.end().catch(() => undefined);
    const delay = Math.ceil((0.5 + Math.random() / 2) * Math.min(30_000, 100 * 2 ** this.failures++));
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      void this.start();
    }, delay);
  }
}
