import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { miniAppRouter } from '../../../server/http/mini-app.js';

/**
 * How GET /app serves a Vite build: hashed assets cached for good, index.html always
 * revalidated, client-side routes answered with index.html, missing files 404, and an unbuilt
 * client explained. A stand-in build (an index and one hashed script) keeps this fast.
 */
let built: string;
let unbuilt: string;
let server: Server;
let base: string;

beforeAll(async () => {
  built = await mkdtemp(join(tmpdir(), 'mv-app-built-'));
  unbuilt = await mkdtemp(join(tmpdir(), 'mv-app-unbuilt-'));
  await mkdir(join(built, 'assets'));
  await writeFile(join(built, 'index.html'), '<!doctype html><title>MusicVerse</title><script type="module" src="/app/assets/index-Ab12Cd34.js"></script>');
  await writeFile(join(built, 'assets', 'index-Ab12Cd34.js'), 'console.log("app");');
  const app = express();
  app.use('/unbuilt', miniAppRouter(unbuilt));
  app.use(miniAppRouter(built));
  server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await Promise.all([built, unbuilt].filter(Boolean).map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('GET /app', () => {
  it.each(['/app', '/app/', '/app/index.html', '/app/track/VHJhY2s6MQ', '/app/jobs'])('answers %s with index.html, never cached', async (path) => {
    const response = await fetch(`${base}${path}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(await response.text()).toContain('<title>MusicVerse</title>');
  });

  it('sends the page with a policy that allows its own scripts only', async () => {
    const policy = (await fetch(`${base}/app/`)).headers.get('content-security-policy') ?? '';
    expect(policy).toContain("script-src 'self'");
    expect(policy).toContain("connect-src 'self'");
  });

  it('caches hashed assets for a year as immutable, with their content type', async () => {
    const response = await fetch(`${base}/app/assets/index-Ab12Cd34.js`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^(text|application)\/javascript/);
    expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('answers a missing file with 404, not the page', async () => {
    expect((await fetch(`${base}/app/assets/index-gone.js`)).status).toBe(404);
    expect((await fetch(`${base}/app/favicon.ico`)).status).toBe(404);
  });

  it.each(['/app/../../../../etc/passwd', '/app/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd', '/app/..%2f..%2f..%2f..%2fetc/passwd'])('does not serve %s from outside the build', async (path) => {
    // Sent as written: fetch() would normalise the dots away before they reach the server.
    const body = await new Promise<string>((resolve, reject) => {
      get({ host: '127.0.0.1', port: new URL(base).port, path }, (response) => {
        let text = '';
        response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk)).on('end', () => resolve(text));
      }).on('error', reject);
    });
    expect(body).not.toContain('root:');
  });

  it('explains an unbuilt client with 503 and the command that builds it', async () => {
    const response = await fetch(`${base}/unbuilt/app/`);
    expect(response.status).toBe(503);
    expect(await response.text()).toContain('npm run client:build');
  });
});
