import type { EntityManager } from '@mikro-orm/postgresql';
import type { Broadcast } from '../../infra/pubsub/broadcast.js';
import { ACCESS_TOKEN_TTL_SECONDS } from './access-token.js';
import { Session } from './session.entity.js';

const CHANNEL = 'session.revoked';

/** Told the id of every session ended anywhere, e.g. to close WebSockets opened with it. */
export type SessionRevokedListener = (sessionId: string) => void;

/**
 * Sessions ended within the last access-token lifetime, known to every process, so that an
 * access token of an ended session is refused at once without a database read per request.
 * Filled from the database at start and kept current over Redis.
 */
export class SessionRevocations {
  /** Session id to the time after which no access token of it can be alive; oldest first. */
  private readonly revoked = new Map<string, number>();
  private readonly listeners = new Set<SessionRevokedListener>();

  constructor(private readonly broadcast: Broadcast) {}

  async start(em: EntityManager): Promise<void> {
    await this.broadcast.on(CHANNEL, (sessionId) => this.remember(sessionId));
    await this.catchUp(em, new Date(Date.now() - ACCESS_TOKEN_TTL_SECONDS * 1000));
    // Revocations announced while Redis was away are read back from the database.
    this.broadcast.onResubscribed((missedSince) => {
      void this.catchUp(em.fork(), new Date(missedSince.getTime() - 5_000)).catch(() => undefined);
    });
  }

  private async catchUp(em: EntityManager, since: Date): Promise<void> {
    const recent = await em.find(Session, { revokedAt: { $gte: since } }, { fields: ['id'] });
    for (const session of recent) if (!this.revoked.has(session.id)) this.remember(session.id);
  }

  isRevoked(sessionId: string): boolean {
    return this.revoked.has(sessionId);
  }

  /** Calls `listener` with each session ended on any process; returns the unsubscribe. */
  onRevoked(listener: SessionRevokedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Records locally at once, then tells the other processes. */
  async announce(sessionId: string): Promise<void> {
    this.remember(sessionId);
    await this.broadcast.publish(CHANNEL, sessionId);
  }

  private remember(sessionId: string): void {
    const now = Date.now();
    // Re-inserted rather than overwritten, so the map stays ordered by expiry for the sweep below.
    this.revoked.delete(sessionId);
    this.revoked.set(sessionId, now + ACCESS_TOKEN_TTL_SECONDS * 1000);
    // Entries older than any live access token are dropped as new ones arrive.
    for (const [id, until] of this.revoked) {
      if (until > now) break;
      this.revoked.delete(id);
    }
    for (const listener of this.listeners) listener(sessionId);
  }
}
