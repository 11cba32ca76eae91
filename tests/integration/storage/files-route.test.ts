import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, mkdir, readdir, readlink, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filesRouter } from '../../../server/http/files.js';
import { LocalStorage } from '../../../server/infra/storage/local.storage.js';
import { fileSignature, signFileUrl } from '../../../server/infra/storage/signed-url.js';
import type { ObjectStorage } from '../../../server/infra/storage/storage.js';
import { startFakeS3 } from './s3rver.harness.js';

const SECRET = 'test-secret-that-is-long-enough-0123456789';

interface Backend {
  storage: ObjectStorage;
  stop: () => Promise<void>;
}

let base: string;
beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'mv-files-'));
});
afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

const backends: [string, () => Promise<Backend>][] = [
  [
    'local',
    async () => {
      const root = join(base, 'root');
      await mkdir(root, { recursive: true });
      return { storage: new LocalStorage(root), stop: async () => undefined };
    },
  ],
  [
    's3',
    async () => {
      const fake = await startFakeS3();
      return { storage: fake.storage, stop: fake.stop };
    },
  ],
];

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A raw HTTP request: the path is sent exactly as given (fetch would resolve "..", even encoded). */
function call(baseUrl: string, path: string, options: { method?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(baseUrl);
    // The path goes in as an option: a URL string would be normalised by the client first.
    const req = httpRequest({ hostname, port, path, method: options.method ?? 'GET', headers: options.headers ?? {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

function errorCode(answer: Answer): unknown {
  return (JSON.parse(answer.body.toString()) as { errors: { extensions: { code: string } }[] }).errors[0]?.extensions.code;
}

describe.each(backends)('GET and HEAD /files/* over %s storage', (_name, start) => {
  let backend: Backend;
  let server: Server;
  let baseUrl: string;
  const key = `tracks/${randomUUID()}/v1.wav`;
  const bytes = randomBytes(1000);
  const inAnHour = () => new Date(Date.now() + 3_600_000);
  /** The path and query of a signed link, relative to the server. */
  const link = (request: Parameters<typeof signFileUrl>[0]) => signFileUrl(request, SECRET, baseUrl).slice(baseUrl.length);

  beforeAll(async () => {
    backend = await start();
    await backend.storage.put(key, bytes, 'audio/wav');
    const app = express();
    app.use(filesRouter(backend.storage, SECRET));
    server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    await backend?.stop();
  });

  describe('signed link', () => {
    it('streams the file with type, length, validators and inline disposition', async () => {
      const answer = await call(baseUrl, link({ key, expiresAt: inAnHour() }));
      expect(answer.status).toBe(200);
      expect(answer.body.equals(bytes)).toBe(true);
      expect(answer.headers['content-type']).toBe('audio/wav');
      expect(answer.headers['content-length']).toBe('1000');
      expect(answer.headers['accept-ranges']).toBe('bytes');
      expect(answer.headers.etag).toMatch(/^"[^"]+"$/);
      expect(Date.parse(answer.headers['last-modified'] ?? '')).not.toBeNaN();
      expect(answer.headers['content-disposition']).toBe(`inline; filename="v1.wav"; filename*=UTF-8''v1.wav`);
      expect(answer.headers['x-content-type-options']).toBe('nosniff');
      const maxAge = Number(/^private, max-age=(\d+)$/.exec(answer.headers['cache-control'] ?? '')?.[1]);
      expect(maxAge).toBeGreaterThan(3_500);
      expect(maxAge).toBeLessThanOrEqual(3_600);
    });

    it('sandboxes anything that is not audio, video or a raster image', async () => {
      const svg = `covers/${randomUUID()}.svg`;
      await backend.storage.put(svg, Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'), 'image/svg+xml');
      const answer = await call(baseUrl, link({ key: svg, expiresAt: inAnHour() }));
      expect(answer.status).toBe(200);
      expect(answer.headers['content-security-policy']).toBe("default-src 'none'; sandbox");
      const audio = await call(baseUrl, link({ key, expiresAt: inAnHour() }), { method: 'HEAD' });
      expect(audio.headers['content-security-policy']).toBeUndefined();
    });

    it('never lets a cache keep the file past a day, however long the link lives', async () => {
      const answer = await call(baseUrl, link({ key, expiresAt: new Date(Date.now() + 30 * 86_400_000) }));
      expect(answer.headers['cache-control']).toBe('private, max-age=86400');
    });

    it('asks the browser to save it when signed as an attachment with a name', async () => {
      const answer = await call(baseUrl, link({ key, expiresAt: inAnHour(), disposition: 'attachment', filename: 'Ночь.wav' }));
      expect(answer.status).toBe(200);
      expect(answer.headers['content-disposition']).toBe(`attachment; filename="____.wav"; filename*=UTF-8''%D0%9D%D0%BE%D1%87%D1%8C.wav`);
    });

    it('answers 304 when the client already has this version', async () => {
      const first = await call(baseUrl, link({ key, expiresAt: inAnHour() }));
      const again = await call(baseUrl, link({ key, expiresAt: inAnHour() }), { headers: { 'If-None-Match': first.headers.etag! } });
      expect(again.status).toBe(304);
      expect(again.body.length).toBe(0);
    });
  });

  describe('refused links', () => {
    it('refuses a tampered signature with 403 FORBIDDEN', async () => {
      const path = link({ key, expiresAt: inAnHour() });
      const sig = new URL(path, baseUrl).searchParams.get('sig')!;
      const tampered = path.replace(sig, `${sig[0] === 'A' ? 'B' : 'A'}${sig.slice(1)}`);
      const answer = await call(baseUrl, tampered);
      expect(answer.status).toBe(403);
      expect(errorCode(answer)).toBe('FORBIDDEN');
      expect(answer.headers['cache-control']).toBe('no-store');
    });

    it('refuses a signature moved onto another key', async () => {
      const other = `tracks/${randomUUID()}/v1.wav`;
      await backend.storage.put(other, Buffer.from('someone else'), 'audio/wav');
      const path = link({ key, expiresAt: inAnHour() }).replace(key, other);
      const answer = await call(baseUrl, path);
      expect(answer.status).toBe(403);
      expect(errorCode(answer)).toBe('FORBIDDEN');
    });

    it('refuses an expired link, saying it expired', async () => {
      const answer = await call(baseUrl, link({ key, expiresAt: new Date(Date.now() - 1_000) }));
      expect(answer.status).toBe(403);
      expect(errorCode(answer)).toBe('FORBIDDEN');
      expect(answer.body.toString()).toMatch(/expired/);
    });

    it('refuses a link without its query', async () => {
      const answer = await call(baseUrl, `/files/${key}`);
      expect(answer.status).toBe(403);
    });

    it('answers 404 NOT_FOUND for a validly signed link to nothing', async () => {
      const answer = await call(baseUrl, link({ key: `tracks/${randomUUID()}/gone.wav`, expiresAt: inAnHour() }));
      expect(answer.status).toBe(404);
      expect(errorCode(answer)).toBe('NOT_FOUND');
    });

    it('answers a CORS preflight so other origins may fetch ranges', async () => {
      const answer = await call(baseUrl, link({ key, expiresAt: inAnHour() }), {
        method: 'OPTIONS',
        headers: { Origin: 'https://miniapp.example', 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'range' },
      });
      expect(answer.status).toBe(204);
      expect(answer.headers['access-control-allow-origin']).toBe('*');
      expect(answer.headers['access-control-allow-headers']).toMatch(/Range/);
    });

    it('answers 405 to methods other than GET and HEAD', async () => {
      const answer = await call(baseUrl, link({ key, expiresAt: inAnHour() }), { method: 'DELETE' });
      expect(answer.status).toBe(405);
      expect(answer.headers.allow).toBe('GET, HEAD, OPTIONS');
      expect((await backend.storage.head(key))?.size).toBe(1000);
    });
  });

  describe('byte ranges', () => {
    it.each([
      ['bytes=0-99', 0, 99],
      ['bytes=100-', 100, 999],
      ['bytes=-50', 950, 999],
      ['bytes=990-5000', 990, 999],
    ])('%s answers 206 with exactly those bytes', async (range, first, last) => {
      const answer = await call(baseUrl, link({ key, expiresAt: inAnHour() }), { headers: { Range: range } });
      expect(answer.status).toBe(206);
      expect(answer.headers['content-range']).toBe(`bytes ${first}-${last}/1000`);
      expect(answer.headers['content-length']).toBe(String(last - first + 1));
      expect(answer.body.equals(bytes.subarray(first, last + 1))).toBe(true);
    });

    it('answers 416 with the size for a range past the end', async () => {
      const answer = await call(baseUrl, link({ key, expiresAt: inAnHour() }), { headers: { Range: 'bytes=1000-' } });
      expect(answer.status).toBe(416);
      expect(answer.headers['content-range']).toBe('bytes */1000');
    });

    it('sends the whole file when If-Range names an older version', async () => {
      const answer = await call(baseUrl, link({ key, expiresAt: inAnHour() }), { headers: { Range: 'bytes=0-9', 'If-Range': '"stale"' } });
      expect(answer.status).toBe(200);
      expect(answer.body.equals(bytes)).toBe(true);
    });

    it('honours the range when If-Range names the current version', async () => {
      const { headers } = await call(baseUrl, link({ key, expiresAt: inAnHour() }), { method: 'HEAD' });
      const answer = await call(baseUrl, link({ key, expiresAt: inAnHour() }), { headers: { Range: 'bytes=0-9', 'If-Range': headers.etag! } });
      expect(answer.status).toBe(206);
      expect(answer.body.equals(bytes.subarray(0, 10))).toBe(true);
    });
  });

  describe('HEAD', () => {
    it('gives the headers of a GET without a body', async () => {
      const answer = await call(baseUrl, link({ key, expiresAt: inAnHour() }), { method: 'HEAD' });
      expect(answer.status).toBe(200);
      expect(answer.headers['content-length']).toBe('1000');
      expect(answer.headers['content-type']).toBe('audio/wav');
      expect(answer.headers['accept-ranges']).toBe('bytes');
      expect(answer.body.length).toBe(0);
    });

    it('is refused like a GET when the link is bad', async () => {
      const answer = await call(baseUrl, `/files/${key}?expires=1&sig=x`, { method: 'HEAD' });
      expect(answer.status).toBe(403);
    });
  });

  describe('keys that try to leave the store', () => {
    it('cannot read a file beside the root, even with a valid signature over the escaping key', async () => {
      await writeFile(join(base, 'secret.txt'), 'top secret');
      const expires = Math.floor(Date.now() / 1000) + 3_600;
      for (const escaping of ['../secret.txt', 'tracks/../../secret.txt']) {
        const sig = fileSignature(escaping, expires, 'inline', undefined, SECRET);
        for (const path of [escaping, escaping.replaceAll('..', '%2e%2e'), escaping.replaceAll('/', '%2F')]) {
          const answer = await call(baseUrl, `/files/${path}?expires=${expires}&sig=${sig}`);
          // Answered by the route itself (not a fall-through), and never with the file.
          expect(answer.status).toBe(404);
          expect(errorCode(answer)).toBe('NOT_FOUND');
          expect(answer.body.toString()).not.toContain('top secret');
        }
      }
    });

    it('refuses an unsigned path with ".." segments with 403', async () => {
      const answer = await call(baseUrl, `/files/tracks/%2e%2e/%2e%2e/secret.txt?expires=9999999999&sig=${'A'.repeat(43)}`);
      expect(answer.status).toBe(403);
      expect(errorCode(answer)).toBe('FORBIDDEN');
    });
  });
});

describe('a download the client abandons', () => {
  /** Open descriptors of this process that point at `path` (Linux /proc). */
  async function descriptorsOn(path: string): Promise<number> {
    const fds = await readdir('/proc/self/fd');
    const targets = await Promise.all(fds.map((fd) => readlink(`/proc/self/fd/${fd}`).catch(() => '')));
    return targets.filter((target) => target === path).length;
  }

  it('closes the file once the client hangs up mid-stream', async () => {
    const root = join(base, 'abort');
    const storage = new LocalStorage(root);
    await storage.put('big.wav', randomBytes(8 * 1024 * 1024), 'audio/wav');
    const app = express();
    app.use(filesRouter(storage, SECRET));
    const server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    try {
      const path = signFileUrl({ key: 'big.wav', expiresAt: new Date(Date.now() + 60_000) }, SECRET, '');
      const req = httpRequest({ hostname: '127.0.0.1', port, path });
      req.end();
      const [res] = (await once(req, 'response')) as [IncomingMessage];
      await once(res, 'data');
      expect(await descriptorsOn(join(root, 'big.wav'))).toBe(1);
      req.destroy();
      const deadline = Date.now() + 5_000;
      while ((await descriptorsOn(join(root, 'big.wav'))) > 0 && Date.now() < deadline) await new Promise((resolve) => setImmediate(resolve));
      expect(await descriptorsOn(join(root, 'big.wav'))).toBe(0);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
