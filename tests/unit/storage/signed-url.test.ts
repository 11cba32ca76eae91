import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { deriveFileSigningKey, signFileUrl, verifyFileSignature } from '../../../server/infra/storage/signed-url.js';
import { InvalidStorageKeyError } from '../../../server/infra/storage/storage.errors.js';

const SECRET = 'test-secret-that-is-long-enough-0123456789';
const PUBLIC_URL = 'https://api.example.test';
const NOW = Date.parse('2026-11-25T10:00:00Z');
const IN_AN_HOUR = new Date(NOW + 3_600_000);

/** The parts of a signed link as the route sees them. */
function presented(link: string) {
  const url = new URL(link);
  const key = url.pathname.replace(/^\/files\//, '').split('/').map(decodeURIComponent).join('/');
  const get = (name: string) => url.searchParams.get(name) ?? undefined;
  return { key, expires: get('expires'), sig: get('sig'), disposition: get('disposition'), filename: get('filename') };
}

describe('signFileUrl', () => {
  it('builds /files/<key> under the public URL with expiry in unix seconds and a base64url signature', () => {
    const link = signFileUrl({ key: 'tracks/t1/v1.wav', expiresAt: IN_AN_HOUR }, SECRET, `${PUBLIC_URL}/`);
    const url = new URL(link);
    expect(`${url.origin}${url.pathname}`).toBe(`${PUBLIC_URL}/files/tracks/t1/v1.wav`);
    expect(url.searchParams.get('expires')).toBe(String((NOW + 3_600_000) / 1000));
    expect(url.searchParams.get('sig')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(url.searchParams.has('disposition')).toBe(false);
  });

  it('refuses a key that could leave the store', () => {
    expect(() => signFileUrl({ key: '../etc/passwd', expiresAt: IN_AN_HOUR }, SECRET, PUBLIC_URL)).toThrow(InvalidStorageKeyError);
  });

  it('refuses a filename that could break the header', () => {
    expect(() => signFileUrl({ key: 'a.wav', expiresAt: IN_AN_HOUR, filename: 'a"\r\nb' }, SECRET, PUBLIC_URL)).toThrow(RangeError);
  });

  it('signs with a key derived from the secret, never the secret itself', () => {
    const derived = deriveFileSigningKey(SECRET);
    expect(derived.equals(createHmac('sha256', SECRET).update('musicverse/file-url/v1').digest())).toBe(true);
    expect(derived.toString('utf8')).not.toContain(SECRET);
  });
});

describe('verifyFileSignature', () => {
  const link = signFileUrl({ key: 'tracks/t1/v1.wav', expiresAt: IN_AN_HOUR }, SECRET, PUBLIC_URL);

  it('accepts its own link before the expiry, as inline', () => {
    expect(verifyFileSignature(presented(link), SECRET, NOW)).toEqual({ ok: true, expiresAt: IN_AN_HOUR, disposition: 'inline' });
  });

  it('refuses it at and after the expiry', () => {
    expect(verifyFileSignature(presented(link), SECRET, IN_AN_HOUR.getTime())).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuses a link for another key, a moved expiry, a changed disposition or another secret', () => {
    const good = presented(link);
    expect(verifyFileSignature({ ...good, key: 'tracks/t1/v2.wav' }, SECRET, NOW)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(verifyFileSignature({ ...good, expires: String(Number(good.expires) + 86_400) }, SECRET, NOW)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(verifyFileSignature({ ...good, disposition: 'attachment' }, SECRET, NOW)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(verifyFileSignature({ ...good, filename: 'other.wav' }, SECRET, NOW)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(verifyFileSignature(good, `${SECRET}-rotated`, NOW)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('refuses a signature with one character changed', () => {
    const good = presented(link);
    const sig = good.sig!;
    const flipped = `${sig.slice(0, 10)}${sig[10] === 'A' ? 'B' : 'A'}${sig.slice(11)}`;
    expect(verifyFileSignature({ ...good, sig: flipped }, SECRET, NOW)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('calls a link without expiry or signature, or with junk in them, malformed', () => {
    const good = presented(link);
    expect(verifyFileSignature({ ...good, sig: undefined }, SECRET, NOW).ok).toBe(false);
    expect(verifyFileSignature({ ...good, expires: undefined }, SECRET, NOW)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyFileSignature({ ...good, expires: '1e10' }, SECRET, NOW)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyFileSignature({ ...good, sig: 'short' }, SECRET, NOW)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyFileSignature({ ...good, disposition: 'evil' }, SECRET, NOW)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('round-trips an attachment link with a non-ASCII filename', () => {
    const download = signFileUrl({ key: 'tracks/t1/v1.wav', expiresAt: IN_AN_HOUR, disposition: 'attachment', filename: 'Ночной город.wav' }, SECRET, PUBLIC_URL);
    expect(verifyFileSignature(presented(download), SECRET, NOW)).toEqual({
      ok: true,
      expiresAt: IN_AN_HOUR,
      disposition: 'attachment',
      filename: 'Ночной город.wav',
    });
  });
});
