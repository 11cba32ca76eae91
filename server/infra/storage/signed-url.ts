import { createHmac, timingSafeEqual } from 'node:crypto';
import { assertStorageKey } from './storage.keys.js';

/**
 * Expiring links to stored files, served by GET /files/<key> (server/http/files.ts).
 *
 * A link is `${publicUrl}/files/<key>?expires=<unix seconds>&sig=<base64url>` plus, when asked
 * for, `disposition=attachment` and `filename=<name>`. The signature is HMAC-SHA256 over
 * version, key, expiry, disposition and filename, each URI-encoded and joined by newlines (so
 * no two different links share a payload).
 *
 * The HMAC key is derived from a secret the process already has (JWT_SECRET): HMAC-SHA256 of
 * the label below keyed with that secret. No extra setting is required, and a file signature
 * can never be replayed as, or confused with, a session token. Rotating JWT_SECRET invalidates
 * outstanding file links, which expire soon anyway.
 */
const KEY_LABEL = 'musicverse/file-url/v1';
const PAYLOAD_VERSION = 'v1';

/** How the browser should treat the file: play or show it, or save it. */
export type FileDisposition = 'inline' | 'attachment';

export interface FileUrlRequest {
  key: string;
  expiresAt: Date;
  /** Default `inline` (an <audio> or <img> can use the link). */
  disposition?: FileDisposition;
  /** A friendlier name for saving the file ("My song.wav"); signed, so it cannot be swapped. */
  filename?: string;
}

/** What a request presents: the key from the path and the query parameters, unparsed. */
export interface PresentedFileSignature {
  key: string;
  expires: string | undefined;
  sig: string | undefined;
  disposition?: string | undefined;
  filename?: string | undefined;
}

export type FileSignatureCheck =
  | { ok: true; expiresAt: Date; disposition: FileDisposition; filename?: string }
  | { ok: false; reason: 'malformed' | 'bad-signature' | 'expired' };

export function deriveFileSigningKey(secret: string): Buffer {
  return createHmac('sha256', secret).update(KEY_LABEL).digest();
}

const signingKeys = new Map<string, Buffer>();

/** The derived key, computed once per secret (a process has one or two). */
function signingKeyFor(secret: string): Buffer {
  let key = signingKeys.get(secret);
  if (!key) {
    key = deriveFileSigningKey(secret);
    if (signingKeys.size > 8) signingKeys.clear();
    signingKeys.set(secret, key);
  }
  return key;
}

/** The signature for one link, base64url. Exposed for tests that need a valid MAC over any key. */
export function fileSignature(key: string, expires: number, disposition: FileDisposition, filename: string | undefined, secret: string): string {
  const payload = [PAYLOAD_VERSION, key, String(expires), disposition, filename ?? ''].map(encodeURIComponent).join('\n');
  return createHmac('sha256', signingKeyFor(secret)).update(payload).digest('base64url');
}

/** Each path segment encoded on its own, so the key's slashes stay slashes. */
export function filePath(key: string): string {
  return `/files/${key.split('/').map(encodeURIComponent).join('/')}`;
}

/** A link to `key` valid until `expiresAt` (rounded down to the second). */
export function signFileUrl(request: FileUrlRequest, secret: string, publicUrl: string): string {
  assertStorageKey(request.key);
  const expires = Math.floor(request.expiresAt.getTime() / 1000);
  if (!Number.isSafeInteger(expires) || expires <= 0) throw new RangeError('expiresAt must be a valid date after 1970');
  const disposition = request.disposition ?? 'inline';
  const filename = request.filename;
  if (filename !== undefined && !isAcceptableFilename(filename)) {
    throw new RangeError('filename must be 1..200 characters without control characters, quotes, slashes or backslashes');
  }
  const query = new URLSearchParams({ expires: String(expires) });
  if (disposition !== 'inline') query.set('disposition', disposition);
  if (filename !== undefined) query.set('filename', filename);
  query.set('sig', fileSignature(request.key, expires, disposition, filename, secret));
  return `${publicUrl.replace(/\/+$/, '')}${filePath(request.key)}?${query.toString()}`;
}

/**
 * Checks a presented link: well formed, signed by us over exactly these values, not expired.
 * The MAC is compared in constant time; expiry is checked after the MAC so the answer never
 * says whether an unsigned expiry would have been accepted.
 */
export function verifyFileSignature(presented: PresentedFileSignature, secret: string, now: number = Date.now()): FileSignatureCheck {
  const { key, expires, sig } = presented;
  const disposition = presented.disposition ?? 'inline';
  const filename = presented.filename;
  if (!expires || !/^\d{1,15}$/.test(expires) || !sig || !/^[A-Za-z0-9_-]{43}$/.test(sig)) return { ok: false, reason: 'malformed' };
  if (disposition !== 'inline' && disposition !== 'attachment') return { ok: false, reason: 'malformed' };
  if (filename !== undefined && !isAcceptableFilename(filename)) return { ok: false, reason: 'malformed' };
  const expected = Buffer.from(fileSignature(key, Number(expires), disposition, filename, secret), 'base64url');
  const given = Buffer.from(sig, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad-signature' };
  const expiresAt = new Date(Number(expires) * 1000);
  if (expiresAt.getTime() <= now) return { ok: false, reason: 'expired' };
  return { ok: true, expiresAt, disposition, ...(filename !== undefined && { filename }) };
}

/** Names that are safe in a Content-Disposition header and as a saved file's name. */
function isAcceptableFilename(name: string): boolean {
  // eslint-disable-next-line no-control-regex
  return name.length > 0 && name.length <= 200 && !/[\u0000-\u001f\u007f"\\/]/.test(name);
}
