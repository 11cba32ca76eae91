import type { EntityManager } from '@mikro-orm/postgresql';
import type { Broadcast } from '../../infra/pubsub/broadcast.js';
import { ACCESS_TOKEN_TTL_SECONDS } from './access-token.js';
import { Session } from './session.entity.js';

const CHANNEL = 'session.revoked';

/**
 * Sessions ended within the last access-token lifetime, known to every process, so that an
 * access token of an ended session is refused at once without a database read per request.
 * Filled from the database at start and kept current over Redis.
 */
export class SessionRevocations {
  private readonly revoked = new Map<string, number>();

  constructor(private readonly broadcast: Broadcast) {}

  async start(em: EntityManager): Promise<void> {
    await this.broadcast.on(CHANNEL, (sessionId) => this.remember(sessionId));
    const since = new Date(Date.now() - ACCESS_TOKEN_TTL_SECONDS * 1000);
    const recent = await em.find(Session, { revokedAt: { $gte: since } }, { fields: ['id'] });
    for (const session of recent) this.remember(session.id);
  }

  isRevoked(sessionId: string): boolean {
    return this.revoked.has(sessionId);
  }

  /** Records locally at once, then tells the other processes. */
  async announce(sessionId: string): Promise<void> {
    this.remember(sessionId);
    await this.broadcast.publish(CHANNEL, sessionId);
  }

  private remember(sessionId: string): void {
    const now = Date.now();
    this.revoked.set(sessionId, now + ACCESS_TOKEN_TTL_SECONDS * 1000);
    // Entries older than any live access token are dropped as new ones arrive.
    for (const [id, until] of this.revoked) {
      if (until > now) break;
      this.revoked.delete(id);
    }
  }
}
