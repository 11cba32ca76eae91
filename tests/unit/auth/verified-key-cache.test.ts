import { describe, expect, it } from 'vitest';
import { VerifiedKeyCache, type VerifiedKey } from '../../../server/modules/api-keys/verified-key-cache.js';
import { UserRole } from '../../../server/modules/users/user.entity.js';

const key = (apiKeyId: string): VerifiedKey => ({ apiKeyId, userId: 'u', role: UserRole.USER, scopes: new Set(['tracks:read']), expiresAt: null });

describe('VerifiedKeyCache', () => {
  it('remembers a verified key until its time to live runs out', () => {
    const cache = new VerifiedKeyCache(1000);
    cache.set('d1', key('k1'), cache.stamp(), 0);
    expect(cache.get('d1', 999)?.apiKeyId).toBe('k1');
    expect(cache.get('d1', 1000)).toBeUndefined();
  });

  it('drops every entry of a revoked key and keeps the others', () => {
    const cache = new VerifiedKeyCache(1000);
    cache.set('d1', key('k1'), cache.stamp(), 0);
    cache.set('d2', key('k2'), cache.stamp(), 0);
    cache.dropKey('k1');
    expect(cache.get('d1', 1)).toBeUndefined();
    expect(cache.get('d2', 1)?.apiKeyId).toBe('k2');
  });

  it('does not cache an answer read before a revocation that landed while it was being checked', () => {
    const cache = new VerifiedKeyCache(1000);
    const stamp = cache.stamp(); // the row is read: not revoked yet
    cache.dropKey('k1'); // revoked while bcrypt runs
    cache.set('d1', key('k1'), stamp, 0);
    expect(cache.get('d1', 1)).toBeUndefined();
    // The next check reads the revoked row and never reaches the cache; a fresh stamp caches again.
    cache.set('d2', key('k2'), cache.stamp(), 0);
    expect(cache.get('d2', 1)?.apiKeyId).toBe('k2');
  });

  it('stays within its size by evicting the oldest entry', () => {
    const cache = new VerifiedKeyCache(1000, 2);
    for (const id of ['a', 'b', 'c']) cache.set(id, key(id), cache.stamp(), 0);
    expect(cache.get('a', 1)).toBeUndefined();
    expect(cache.get('c', 1)?.apiKeyId).toBe('c');
  });
});
