import { createHash } from 'node:crypto';
import bcrypt from 'bcrypt';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import { BadUserInputError, NotFoundError } from '../../core/errors.js';
import type { Broadcast } from '../../infra/pubsub/broadcast.js';
import { isScope, type Scope } from '../auth/scopes.js';
import type { Viewer } from '../auth/viewer.js';
import { User } from '../users/user.entity.js';
import { ApiKey } from './api-key.entity.js';
import { generateApiKey, lookupIdOf } from './api-key-format.js';
import { ExpiredApiKeyError, InvalidApiKeyError, RevokedApiKeyError, TooManyApiKeysError } from './api-keys.errors.js';
import { VerifiedKeyCache } from './verified-key-cache.js';

/** bcrypt cost 10 as the platform spec asks; the cache keeps it off the hot path. */
const BCRYPT_COST = 10;
const MAX_ACTIVE_KEYS = 25;
/** last_used_at is written at most this often per key, so use does not cost a write per request. */
const LAST_USED_RESOLUTION_MS = 60_000;
const REVOKED_CHANNEL = 'api-key.revoked';
/** Keys whose last write time is remembered; past this the memory is simply started afresh. */
const MAX_TOUCHED = 10_000;

/** Told the id of every key revoked anywhere, e.g. to close WebSockets opened with it. */
export type ApiKeyRevokedListener = (apiKeyId: string) => void;

export interface CreateApiKeyRequest {
  name: string;
  scopes: string[];
  expiresAt?: Date | null;
}

export class ApiKeysService {
  private readonly cache = new VerifiedKeyCache();
  private readonly lastTouched = new Map<string, number>();
  private readonly revokedListeners = new Set<ApiKeyRevokedListener>();

  constructor(
    private readonly broadcast: Broadcast,
    private readonly forkEm: () => EntityManager,
    private readonly log: Logger,
  ) {}

  /** Listens for revocations from other processes. */
  async start(): Promise<void> {
    await this.broadcast.on(REVOKED_CHANNEL, (apiKeyId) => this.forget(apiKeyId));
    // Revocations announced while Redis was away are read back from the database.
    this.broadcast.onResubscribed((missedSince) => {
      const since = new Date(missedSince.getTime() - 5_000);
      this.forkEm()
        .find(ApiKey, { revokedAt: { $gte: since } }, { fields: ['id'] })
        .then((revoked) => revoked.forEach((key) => this.forget(key.id)))
        .catch((err: unknown) => this.log.error({ err }, 'could not catch up on API key revocations'));
    });
  }

  /** Calls `listener` with the id of each key revoked on any process; returns the unsubscribe. */
  onRevoked(listener: ApiKeyRevokedListener): () => void {
    this.revokedListeners.add(listener);
    return () => this.revokedListeners.delete(listener);
  }

  /** Creates a key and returns it in full; this is the only time the key exists in clear. */
  async create(em: EntityManager, userId: string, request: CreateApiKeyRequest, now = new Date()): Promise<{ apiKey: ApiKey; key: string }> {
    const name = request.name.trim();
    if (name.length < 1 || name.length > 80) throw new BadUserInputError('name must be 1 to 80 characters', 'name');
    const scopes = validateScopes(request.scopes);
    if (request.expiresAt && request.expiresAt.getTime() <= now.getTime()) {
      throw new BadUserInputError('expiresAt must be in the future', 'expiresAt');
    }
    const active = await em.count(ApiKey, { user: userId, revokedAt: null, $or: [{ expiresAt: null }, { expiresAt: { $gt: now } }] });
    if (active >= MAX_ACTIVE_KEYS) throw new TooManyApiKeysError(MAX_ACTIVE_KEYS);

    const { key, lookupId } = generateApiKey();
    const keyHash = await bcrypt.hash(key, BCRYPT_COST);
    const apiKey = em.create(ApiKey, {
      user: em.getReference(User, userId),
      name,
      lookupId,
      keyHash,
      scopes,
      expiresAt: request.expiresAt ?? null,
      createdAt: now,
    });
    await em.flush();
    return { apiKey, key };
  }

  async list(em: EntityManager, userId: string): Promise<ApiKey[]> {
    return em.find(ApiKey, { user: userId }, { orderBy: { createdAt: 'desc', id: 'desc' } });
  }

  async findOwned(em: EntityManager, userId: string, id: string): Promise<ApiKey> {
    const apiKey = await em.findOne(ApiKey, { id, user: userId });
    if (!apiKey) throw new NotFoundError('API key');
    return apiKey;
  }

  /**
   * Revokes at once: the row first, then this process's cache, then every other process's
   * cache over Redis. Revoking a revoked key returns it unchanged.
   */
  async revoke(em: EntityManager, userId: string, id: string, now = new Date()): Promise<ApiKey> {
    const apiKey = await this.findOwned(em, userId, id);
    if (!apiKey.revokedAt) {
      apiKey.revokedAt = now;
      await em.flush();
    }
    this.forget(apiKey.id);
    await this.broadcast.publish(REVOKED_CHANNEL, apiKey.id).catch((err: unknown) => {
      // Other processes still drop it when their cache entry expires.
      this.log.error({ err, apiKeyId: apiKey.id }, 'could not announce API key revocation');
    });
    return apiKey;
  }

  /** Resolves an X-API-Key value to its viewer, or throws UNAUTHENTICATED with the reason. */
  async viewerFromKey(key: string, now = new Date()): Promise<Viewer> {
    const digest = createHash('sha256').update(key).digest('base64url');
    let verified = this.cache.get(digest, now.getTime());
    if (!verified) {
      const stamp = this.cache.stamp();
      verified = await this.verifyAgainstDatabase(key);
      this.cache.set(digest, verified, stamp, now.getTime());
    }
    if (verified.expiresAt && verified.expiresAt.getTime() <= now.getTime()) throw new ExpiredApiKeyError(verified.expiresAt);
    this.touch(verified.apiKeyId, now);
    return { userId: verified.userId, role: verified.role, credential: { kind: 'api_key', apiKeyId: verified.apiKeyId, scopes: verified.scopes } };
  }

  private async verifyAgainstDatabase(key: string): Promise<VerifiedKey> {
    const lookupId = lookupIdOf(key);
    if (!lookupId) throw new InvalidApiKeyError();
    const em = this.forkEm();
    const apiKey = await em.findOne(ApiKey, { lookupId }, { populate: ['user', 'keyHash'] });
    if (!apiKey || !(await bcrypt.compare(key, apiKey.keyHash))) throw new InvalidApiKeyError();
    if (apiKey.revokedAt) throw new RevokedApiKeyError();
    return {
      apiKeyId: apiKey.id,
      userId: apiKey.user.id,
      role: apiKey.user.getEntity().role,
      scopes: new Set(apiKey.scopes.filter(isScope)),
      expiresAt: apiKey.expiresAt ?? null,
    };
  }

  private forget(apiKeyId: string): void {
    this.cache.dropKey(apiKeyId);
    for (const listener of this.revokedListeners) listener(apiKeyId);
  }

  private touch(apiKeyId: string, now: Date): void {
    const last = this.lastTouched.get(apiKeyId) ?? 0;
    if (now.getTime() - last < LAST_USED_RESOLUTION_MS) return;
    if (this.lastTouched.size >= MAX_TOUCHED) this.lastTouched.clear();
    this.lastTouched.set(apiKeyId, now.getTime());
    this.forkEm()
      .nativeUpdate(ApiKey, { id: apiKeyId }, { lastUsedAt: now })
      .catch((err: unknown) => this.log.warn({ err, apiKeyId }, 'could not record API key use'));
  }
}

type VerifiedKey = Parameters<VerifiedKeyCache['set']>[1];

function validateScopes(scopes: string[]): Scope[] {
  if (scopes.length === 0) throw new BadUserInputError('scopes must name at least one scope', 'scopes');
  const unknown = scopes.filter((s) => !isScope(s));
  if (unknown.length > 0) {
    throw new BadUserInputError(`unknown scope ${unknown.map((s) => `"${s}"`).join(', ')}; see the apiKeyScopes query for the list`, 'scopes');
  }
  return [...new Set(scopes)] as Scope[];
}
