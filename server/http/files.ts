import { pipeline } from 'node:stream/promises';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { Metrics } from '../infra/metrics.js';
import { parseRangeHeader } from '../infra/storage/byte-range.js';
import { verifyFileSignature, type FileDisposition } from '../infra/storage/signed-url.js';
import { InvalidStorageKeyError, StorageRangeError } from '../infra/storage/storage.errors.js';
import type { ObjectInfo, ObjectStorage, StoredObject } from '../infra/storage/storage.js';

/** Browsers and proxies may keep a file this long at most, and never past its link's expiry. */
const MAX_CACHE_SECONDS = 86_400;

type ErrorCode = 'FORBIDDEN' | 'NOT_FOUND' | 'BAD_USER_INPUT';

/**
 * GET and HEAD /files/<key>?expires=..&sig=.. : stored audio and covers behind expiring signed
 * links (server/infra/storage/signed-url.ts). Answers 403 FORBIDDEN for a missing, tampered or
 * expired signature and 404 NOT_FOUND for a missing object, both as a JSON `errors` list like
 * the rest of the API. A single byte range is honoured (206, or 416 when unsatisfiable) so an
 * <audio> element can seek; `If-None-Match` answers 304 and `If-Range` is respected.
 *
 * @param secret the secret links were signed with (JWT_SECRET; the signing key is derived from it)
 */
export function filesRouter(storage: ObjectStorage, secret: string, metrics?: Metrics): Router {
  const router = express.Router();

  const refuse = (res: Response, status: number, code: ErrorCode, message: string): void => {
    metrics?.errors.inc({ code });
    // Headers already written for the object (it vanished between HEAD and GET) do not apply.
    for (const name of ['ETag', 'Last-Modified', 'Content-Disposition', 'Accept-Ranges']) res.removeHeader(name);
    res.setHeader('Cache-Control', 'no-store');
    res.status(status).json({ errors: [{ message, extensions: { code } }] });
  };

  const unsatisfiable = (res: Response, size: number): void => {
    res.setHeader('Content-Range', `bytes */${size}`);
    refuse(res, 416, 'BAD_USER_INPUT', 'The requested range is past the end of the file');
  };

  router.use('/files', (req: Request, res: Response, next: NextFunction) => {
    if (req.method === 'OPTIONS') {
      // A CORS preflight for a fetch() with a Range header from the Mini App or a player.
      res.setHeader('Access-Control-Allow-Origin', '*');
      res.setHeader('Access-Control-Allow-Methods', 'GET, HEAD');
      res.setHeader('Access-Control-Allow-Headers', 'Range, If-Range, If-None-Match');
      res.setHeader('Access-Control-Max-Age', '86400');
      res.status(204).end();
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD, OPTIONS');
      res.status(405).json({ errors: [{ message: 'Files are read with GET or HEAD', extensions: { code: 'BAD_USER_INPUT' } }] });
      return;
    }
    serve(req, res).catch((error: unknown) => {
      if (error instanceof InvalidStorageKeyError) return refuse(res, 404, 'NOT_FOUND', 'No such file');
      // Mid-stream (the client went away, or storage failed): all that is left is to hang up.
      if (res.headersSent) {
        res.destroy();
        return;
      }
      next(error);
    });
  });

  async function serve(req: Request, res: Response): Promise<void> {
    const key = keyFromPath(req.path);
    const check = verifyFileSignature(
      { key: key ?? '', expires: queryString(req, 'expires'), sig: queryString(req, 'sig'), disposition: queryString(req, 'disposition'), filename: queryString(req, 'filename') },
      secret,
    );
    if (key === null || !check.ok) {
      const expired = key !== null && !check.ok && check.reason === 'expired';
      return refuse(res, 403, 'FORBIDDEN', expired ? 'This file link has expired; ask for a new one' : 'This file link is not valid');
    }
    const terms: LinkTerms = {
      expiresAt: check.expiresAt,
      disposition: check.disposition,
      filename: check.filename ?? key.slice(key.lastIndexOf('/') + 1),
    };

    const rangeHeader = req.header('range');
    if (req.method === 'HEAD' || rangeHeader !== undefined) {
      // The size is needed first: to resolve `bytes=-n`, or to answer HEAD without a body.
      const info = await storage.head(key);
      if (!info) return refuse(res, 404, 'NOT_FOUND', 'No such file');
      writeHeaders(res, info, terms);
      if (notModified(req, info)) return void res.status(304).end();
      if (req.method === 'HEAD') {
        res.setHeader('Content-Length', String(info.size));
        return void res.status(200).end();
      }
      const wanted = ifRangeHolds(req, info) ? parseRangeHeader(rangeHeader, info.size) : { kind: 'none' as const };
      if (wanted.kind === 'unsatisfiable') return unsatisfiable(res, info.size);
      const object = await storage.get(key, wanted.kind === 'range' ? wanted.range : undefined).catch((error: unknown) => {
        // The object shrank between HEAD and GET: the range no longer fits.
        if (error instanceof StorageRangeError) return error;
        throw error;
      });
      if (object instanceof StorageRangeError) return unsatisfiable(res, object.size);
      if (!object) return refuse(res, 404, 'NOT_FOUND', 'No such file');
      return send(res, object, terms);
    }

    const object = await storage.get(key);
    if (!object) return refuse(res, 404, 'NOT_FOUND', 'No such file');
    writeHeaders(res, { ...object, size: object.totalSize }, terms);
    if (notModified(req, object)) {
      object.body.destroy();
      return void res.status(304).end();
    }
    return send(res, object, terms);
  }

  return router;
}

interface LinkTerms {
  expiresAt: Date;
  disposition: FileDisposition;
  filename: string;
}

async function send(res: Response, object: StoredObject, terms: LinkTerms): Promise<void> {
  writeHeaders(res, { ...object, size: object.totalSize }, terms);
  res.setHeader('Content-Length', String(object.size));
  if (object.range) {
    res.setHeader('Content-Range', `bytes ${object.range.start}-${object.range.end}/${object.totalSize}`);
    res.status(206);
  } else {
    res.status(200);
  }
  // pipeline destroys the body when the client goes away, closing its file or socket.
  await pipeline(object.body, res);
}

function writeHeaders(res: Response, info: ObjectInfo, terms: LinkTerms): void {
  const secondsLeft = Math.floor((terms.expiresAt.getTime() - Date.now()) / 1000);
  res.setHeader('Content-Type', info.contentType);
  res.setHeader('Accept-Ranges', 'bytes');
  res.setHeader('Cache-Control', `private, max-age=${Math.max(0, Math.min(secondsLeft, MAX_CACHE_SECONDS))}`);
  if (info.etag) res.setHeader('ETag', info.etag);
  if (info.lastModified) res.setHeader('Last-Modified', info.lastModified.toUTCString());
  res.setHeader('Content-Disposition', contentDisposition(terms.disposition, terms.filename));
  // The bytes are never a page of ours: no sniffing into HTML, and anything that is not media
  // (which browsers show in their own player documents) runs no script if opened directly.
  res.setHeader('X-Content-Type-Options', 'nosniff');
  if (!/^(?:audio\/|video\/|image\/(?!svg))/i.test(info.contentType)) res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
  // The link itself is the credential, so any origin (the Mini App, a player) may fetch it.
  res.setHeader('Access-Control-Allow-Origin', '*');
  res.setHeader('Access-Control-Expose-Headers', 'Content-Length, Content-Range, Accept-Ranges, ETag, Content-Disposition');
}

/** `inline; filename="x.wav"; filename*=UTF-8''x.wav`: a plain-ASCII fallback and the exact name. */
function contentDisposition(disposition: FileDisposition, filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  const exact = encodeURIComponent(filename).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${disposition}; filename="${ascii}"; filename*=UTF-8''${exact}`;
}

/** `If-None-Match` naming the current ETag (or `*`): the client's copy is current. */
function notModified(req: Request, info: { etag?: string }): boolean {
  const header = req.header('if-none-match');
  if (!header || !info.etag) return false;
  const current = info.etag.replace(/^W\//, '');
  return header.split(',').some((tag) => {
    const trimmed = tag.trim();
    return trimmed === '*' || trimmed.replace(/^W\//, '') === current;
  });
}

/**
 * `If-Range`: the range applies only while the client's copy is current (same strong ETag, or
 * the same Last-Modified date); otherwise the whole object is sent so it never stitches two
 * versions together.
 */
function ifRangeHolds(req: Request, info: ObjectInfo): boolean {
  const header = req.header('if-range')?.trim();
  if (header === undefined) return true;
  if (header.startsWith('"')) return info.etag !== undefined && !info.etag.startsWith('W/') && header === info.etag;
  if (header.startsWith('W/')) return false;
  const date = Date.parse(header);
  return info.lastModified !== undefined && !Number.isNaN(date) && Math.floor(info.lastModified.getTime() / 1000) === Math.floor(date / 1000);
}

/** The key from the path under /files, decoded per segment; null when it cannot be a key. */
function keyFromPath(path: string): string | null {
  const raw = path.replace(/^\/+/, '');
  if (raw === '') return null;
  try {
    return raw.split('/').map(decodeURIComponent).join('/');
  } catch {
    return null;
  }
}

function queryString(req: Request, name: string): string | undefined {
  const value: unknown = req.query[name];
  return typeof value === 'string' ? value : undefined;
}
