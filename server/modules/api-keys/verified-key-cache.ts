import type { UserRole } from '../users/user.entity.js';
import type { Scope } from '../auth/scopes.js';

/** What a verified key grants, remembered so that a request does not pay bcrypt every time. */
export interface VerifiedKey {
  apiKeyId: string;
  userId: string;
  role: UserRole;
  scopes: ReadonlySet<Scope>;
  expiresAt: Date | null;
}

/**
 * Keyed by the SHA-256 of the presented key (never the key itself). Entries live `ttlMs` at
 * most; revocation drops them at once through `dropKey`, on every process.
 *
 * A verification reads the row, then spends tens of milliseconds in bcrypt. A revocation that
 * lands in between must not be undone by caching the stale answer afterwards, so a caller takes
 * a `stamp()` before reading and `set` ignores an answer older than the last drop.
 */
export class VerifiedKeyCache {
  private readonly entries = new Map<string, { key: VerifiedKey; until: number }>();
  private drops = 0;

  constructor(
    private readonly ttlMs = 5 * 60_000,
    private readonly maxEntries = 10_000,
  ) {}

  get(digest: string, now = Date.now()): VerifiedKey | undefined {
    const entry = this.entries.get(digest);
    if (!entry) return undefined;
    if (entry.until <= now) {
      this.entries.delete(digest);
      return undefined;
    }
    return entry.key;
  }

  /** Changes whenever a key is dropped; hand it back to `set`. */
  stamp(): number {
    return this.drops;
  }

  /** Remembers `key` unless a key was dropped since `stamp` was taken. */
  set(digest: string, key: VerifiedKey, stamp: number, now = Date.now()): void {
    if (stamp !== this.drops) return;
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(digest, { key, until: now + this.ttlMs });
  }

  dropKey(apiKeyId: string): void {
    this.drops += 1;
    for (const [digest, entry] of this.entries) {
      if (entry.key.apiKeyId === apiKeyId) this.entries.delete(digest);
    }
  }
}
