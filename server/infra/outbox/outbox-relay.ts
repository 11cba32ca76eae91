import type pg from 'pg';
import type { Logger } from 'pino';
import type { OutboxEnvelope } from './outbox.envelope.js';
import { OutboxListener } from './outbox-listener.js';
import type { OutboxPublisher } from './outbox-publisher.js';
import { ROUTES, type RouteTable } from './outbox.topics.js';

export interface OutboxRelayOptions {
  /** Events claimed (and locked) per transaction. Default 100. */
  batchSize?: number;
  /** Safety-net poll for events whose NOTIFY was missed or whose backoff ran out. Default 1 000 ms. */
  pollIntervalMs?: number;
  /**
   * After a batch that was not full, how long the relay lets events gather before it claims the
   * next. Default 5 ms: under load a batch carries several jobs' events for the same round trips
   * and Redis writes; an event arriving while the relay is idle still goes out at once.
   */
  batchGapMs?: number;
  /** Delay before the first retry of an event that failed to publish; doubles per attempt. Default 1 000 ms. */
  retryBaseMs?: number;
  /** Longest delay between retries. Default 5 minutes. */
  retryMaxMs?: number;
  /** A publish slower than this counts as failed (it may still land: consumers dedupe). Default 5 000 ms. */
  publishTimeoutMs?: number;
  /** Topics this relay delivers, and where. Default ROUTES; events of other topics are left alone. */
  routes?: RouteTable;
}

export interface OutboxRelayDeps {
  /** Pool for claiming and marking events. */
  pool: pg.Pool;
  /** Opens the dedicated connection that LISTENs for `outbox` notifications. */
  databaseUrl: string;
  publisher: OutboxPublisher;
  log: Logger;
}

interface OutboxRow {
  id: string;
  topic: string;
  user_id: string | null;
  payload: Record<string, unknown>;
  created_at: Date;
}

/** Counters of one relay's work since it was made. */
export interface RelayStats {
  published: number;
  failed: number;
  batches: number;
}

const CLAIM = `select id, topic, user_id, payload, created_at from outbox
  where published_at is null and available_at <= now() and topic = any($1::text[])
  order by created_at, id limit $2 for update skip locked`;
const MARK_PUBLISHED = `update outbox set published_at = now() where id = any($1::uuid[])`;
// attempts on the right-hand side is the count before this failure: the delay doubles per failure.
// clock_timestamp(), not now(): the delay counts from the failure, not from the claim.
const MARK_FAILED = `update outbox set attempts = attempts + 1, last_error = $2,
  available_at = clock_timestamp() + make_interval(secs => least($4::float8, $3::float8 * power(2, attempts)) / 1000.0)
  where id = any($1::uuid[])`;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`publish timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 1_000);
}

/**
 * Moves committed outbox events to Redis pub/sub and BullMQ. It wakes on `NOTIFY outbox` (sent by
 * the insert trigger at commit) and polls as a safety net. Each batch is claimed with
 * `FOR UPDATE SKIP LOCKED` inside one transaction, published (one Redis pipeline for pub/sub and one
 * addBulk per queue, so a batch costs a round trip, not one per event), then marked, so several relays (one
 * per worker process) share the work without publishing an event twice in normal operation, and an
 * event is only marked once it was delivered: at least once. A failed publish counts an attempt for
 * every event of the batch, keeps the error and pushes them out with exponential backoff.
 */
export class OutboxRelay {
  readonly stats: RelayStats = { published: 0, failed: 0, batches: 0 };
  private readonly options: Required<OutboxRelayOptions>;
  private readonly topics: string[];
  private listener?: OutboxListener;
  private loop?: Promise<void>;
  private stopping = false;
  private wakeRequested = false;
  private wakeUp?: () => void;

  constructor(
    private readonly deps: OutboxRelayDeps,
    options: OutboxRelayOptions = {},
  ) {
    this.options = {
      batchSize: 100,
      pollIntervalMs: 1_000,
      batchGapMs: 5,
      retryBaseMs: 1_000,
      retryMaxMs: 300_000,
      publishTimeoutMs: 5_000,
      routes: ROUTES,
      ...options,
    };
    this.topics = Object.keys(this.options.routes);
  }

  /** Starts listening and relaying; returns once the LISTEN connection is attempted. */
  async start(): Promise<void> {
    if (this.loop) return;
    this.stopping = false;
    this.listener = new OutboxListener(this.deps.databaseUrl, () => this.wake(), this.deps.log, 5 * this.options.pollIntervalMs);
    await this.listener.open();
    this.loop = this.run();
  }

  /** Stops claiming new batches, lets the batch in hand finish, and closes the LISTEN connection. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake();
    await this.loop;
    this.loop = undefined;
    const listener = this.listener;
    this.listener = undefined;
    await listener?.close();
  }

  /** Claims one batch, publishes it and marks it; returns how many events were published. */
  async relayOnce(): Promise<number> {
    const client = await this.deps.pool.connect();
    const published: string[] = [];
    let broken: Error | undefined;
    try {
      // Marking events published need not wait for the disk: a mark lost with a crash of the
      // database server only sends those events again, which consumers already allow for: a
      // queue job is deduplicated by event id, and a repeated job.updated or credits.changed
      // tells a subscriber a state it already has.
      // The claim walks outbox_unpublished_idx in order (an index scan that stops after a batch
      // and marks the entries of published events it passes as dead, so that later claims skip
      // them), never a bitmap scan, which would read all of those entries and their table pages
      // on every claim until VACUUM ran.
      await client.query('begin; set local synchronous_commit = off; set local enable_bitmapscan = off');
      const { rows } = await client.query<OutboxRow>(CLAIM, [this.topics, this.options.batchSize]);
      let failure: { ids: string[]; error: string } | undefined;
      if (rows.length) {
        try {
          const batch = rows.map((row) => ({ envelope: toEnvelope(row), route: this.options.routes[row.topic] ?? {} }));
          await withTimeout(this.deps.publisher.publishAll(batch), this.options.publishTimeoutMs);
          published.push(...rows.map((row) => row.id));
        } catch (error) {
          // The batch went to one Redis: it is deferred as a whole (what did arrive is deduplicated by id).
          failure = { ids: rows.map((row) => row.id), error: messageOf(error) };
        }
      }
      if (published.length) await client.query(MARK_PUBLISHED, [published]);
      if (failure) {
        await client.query(MARK_FAILED, [failure.ids, failure.error, this.options.retryBaseMs, this.options.retryMaxMs]);
        this.stats.failed += failure.ids.length;
        this.deps.log.warn({ events: failure.ids.length, error: failure.error }, 'outbox publish failed; events will be retried');
      }
      await client.query('commit');
      this.stats.batches += 1;
      this.stats.published += published.length;
      return published.length;
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      // A connection that failed mid-transaction is discarded rather than returned to the pool.
      broken = error instanceof Error ? error : new Error(String(error));
      throw error;
    } finally {
      client.release(broken);
    }
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      let published = 0;
      try {
        published = await this.relayOnce();
      } catch (error) {
        this.deps.log.error({ err: error }, 'outbox relay batch failed');
      }
      // A full batch means more may be waiting: go again at once instead of sleeping.
      if (published >= this.options.batchSize) continue;
      if (published > 0) await this.pause(this.options.batchGapMs);
      await this.idle(this.options.pollIntervalMs);
    }
  }

  /** Waits `ms` (a few milliseconds: stop() may wait it out) unless the relay is stopping. */
  private pause(ms: number): Promise<void> {
    if (this.stopping || ms <= 0) return Promise.resolve();
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  private wake(): void {
    this.wakeRequested = true;
    this.wakeUp?.();
  }

  private idle(ms: number): Promise<void> {
    if (this.wakeRequested || this.stopping) {
      this.wakeRequested = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        this.wakeRequested = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeUp = done;
    });
  }
}

function toEnvelope(row: OutboxRow): OutboxEnvelope {
  return { id: row.id, topic: row.topic, userId: row.user_id, payload: row.payload, createdAt: row.created_at.toISOString() };
}
