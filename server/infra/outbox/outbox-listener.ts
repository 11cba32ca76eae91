import pg from 'pg';
import type { Logger } from 'pino';

/** The channel the outbox insert trigger notifies at commit (see the foundation migration). */
const CHANNEL = 'outbox';

/**
 * Keeps one dedicated connection LISTENing on `outbox` (a pooled connection would lose the LISTEN
 * when returned) and calls `onNotify` for each notification. If the connection drops it is
 * re-opened after `retryMs`; meanwhile the relay's poll keeps events moving.
 */
export class OutboxListener {
  private client?: pg.Client;
  private retryTimer?: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly databaseUrl: string,
    private readonly onNotify: () => void,
    private readonly log: Logger,
    private readonly retryMs: number,
    /** Shown in pg_stat_activity, so operators can tell this connection apart. */
    private readonly applicationName = 'musicverse-outbox-listener',
  ) {}

  /** Opens the connection; resolves (without throwing) once LISTEN is in place or has failed. */
  async open(): Promise<void> {
    if (this.closed) return;
    const client = new pg.Client({ connectionString: this.databaseUrl, application_name: this.applicationName });
    this.client = client;
    const lost = (error: unknown) => {
      if (this.client !== client) return;
      this.client = undefined;
      client.end().catch(() => undefined);
      if (this.closed) return;
      this.log.warn({ err: error }, 'outbox LISTEN connection lost; polling until it is back');
      this.retryTimer = setTimeout(() => void this.open(), this.retryMs);
    };
    client.on('notification', () => this.onNotify());
    client.on('error', lost);
    client.on('end', () => lost(new Error('connection ended')));
    try {
      await client.connect();
      await client.query(`listen ${CHANNEL}`);
      // close() ran while this connection was opening.
      if (this.closed && this.client === client) await this.close();
    } catch (error) {
      lost(error);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }
}
