import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, describe, inject, it } from 'vitest';
import { waitFor } from '../support/child-api.js';
import { dataOf, gql } from '../support/graphql-client.js';
import { freePort } from '../support/processes.js';
import { newTelegramId } from '../support/telegram.js';

/**
 * `npm start` as a newcomer runs it: the compiled dist/scripts/start.js (global-setup builds
 * dist/), against the suite's PostgreSQL and Redis, each run with a database of its own.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const createdDatabases: string[] = [];

interface StartRun {
  child: ChildProcess;
  port: number;
  output: () => string;
  exited: Promise<number | null>;
}

/** A database name on the suite's server that does not exist yet; dropped after the file. */
function freshDatabaseUrl(): string {
  const url = new URL(inject('databaseUrl'));
  const name = `mv_start_${randomBytes(4).toString('hex')}`;
  url.pathname = `/${name}`;
  createdDatabases.push(name);
  return url.toString();
}

async function runStart(env: Record<string, string>): Promise<StartRun> {
  const port = await freePort();
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    // What a developer has: not "test", so the processes behave as they do on a laptop.
    NODE_ENV: 'development',
    PORT: String(port),
    DATABASE_URL: freshDatabaseUrl(),
    REDIS_URL: inject('redisUrl'),
    REDIS_PREFIX: inject('redisPrefix'),
    LOG_LEVEL: 'info',
    // Runs go side by side: only the run that checks /app builds the Mini App, into its own folder.
    MINI_APP_BUILD: '0',
    MINI_APP_DIR: join(tmpdir(), `mv-start-app-${randomBytes(4).toString('hex')}`),
    ...env,
  };
  delete childEnv.DEV_LOGIN;
  const child = spawn(process.execPath, ['dist/scripts/start.js'], { cwd: ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, port, output: () => output, exited };
}

async function readyz(port: number): Promise<number> {
  return (await fetch(`http://127.0.0.1:${port}/readyz`)).status;
}

/**
 * Waits until `npm start` has printed its whole "up" banner (it polls /readyz itself first);
 * the banner's lines may arrive in separate chunks, so the wait is on the last one.
 */
async function untilUp(run: StartRun): Promise<void> {
  await Promise.race([
    waitFor(async () => /MusicVerse is up[\s\S]*Stop {8}Ctrl-C/.test(run.output()), 60_000, 'the "MusicVerse is up" banner').catch((error: Error) => {
      throw new Error(`${error.message}; it printed:\n${run.output()}`);
    }),
    run.exited.then((code) => {
      throw new Error(`start exited with ${code} before the API was up:\n${run.output()}`);
    }),
  ]);
}

function pidOf(output: string, name: string): number {
  const match = new RegExp(`${name} \\(pid (\\d+)\\)`).exec(output);
  if (!match) throw new Error(`no ${name} pid in: ${output}`);
  return Number(match[1]);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

afterAll(async () => {
  const admin = new pg.Client({ connectionString: inject('databaseUrl') });
  await admin.connect();
  for (const name of createdDatabases) await admin.query(`drop database if exists "${name}" with (force)`);
  await admin.end();
});

// Each run owns its database and port, so the runs go side by side to keep the file short.
// Up to three platforms start at once on a two-core machine: give them room under a full run.
describe.concurrent('npm start', { timeout: 90_000 }, () => {
  it('creates and migrates a missing database, builds and serves the Mini App, runs the API and a worker, and exits 0 on SIGTERM', async ({ expect }) => {
    const miniAppDir = mkdtempSync(join(tmpdir(), 'mv-start-app-'));
    const run = await runStart({ MINI_APP_BUILD: '1', MINI_APP_DIR: miniAppDir });
    await untilUp(run);
    const output = run.output();
    expect(output).toMatch(/database mv_start_\w+: created, applied Migration\w+/);
    expect(output).toContain(`Playground  http://localhost:${run.port}/graphql`);
    expect(output).toContain(`Mini App    http://localhost:${run.port}/app/`);
    const app = await fetch(`http://127.0.0.1:${run.port}/app/`);
    expect(app.status).toBe(200);
    expect(await app.text()).toContain('<div id="root">');
    expect(output).toMatch(/\[api\] |\[worker\] /);
    expect(await readyz(run.port)).toBe(200);

    // DEV_LOGIN was unset: npm start turns it on for local use and says so.
    expect(output).toContain('DEV_LOGIN=1 by default');
    const signedIn = await gql<{ devSignIn: { user: { firstName: string } } }>(
      `http://127.0.0.1:${run.port}`,
      'mutation($id: String!) { devSignIn(input: { telegramId: $id, firstName: "Newcomer" }) { user { firstName } } }',
      { variables: { id: String(newTelegramId()) } },
    );
    expect(dataOf(signedIn).devSignIn.user.firstName).toBe('Newcomer');

    const apiPid = pidOf(output, 'api');
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    expect(run.output()).toContain('[start] stopped');
    expect(alive(apiPid)).toBe(false);
    rmSync(miniAppDir, { recursive: true, force: true });
  });

  it('stops the worker and exits non-zero when the API dies', async ({ expect }) => {
    const run = await runStart({});
    await untilUp(run);
    const apiPid = pidOf(run.output(), 'api');
    const workerPid = pidOf(run.output(), 'worker');
    process.kill(apiPid, 'SIGKILL');
    expect(await run.exited).toBe(1);
    expect(run.output()).toMatch(/api exited \(SIGKILL\); stopping the others/);
    expect(alive(workerPid)).toBe(false);
  });

  it('starts a local Redis when none answers at REDIS_URL', async ({ expect }) => {
    const redisPort = await freePort();
    const run = await runStart({ REDIS_URL: `redis://127.0.0.1:${redisPort}` });
    try {
      await untilUp(run);
      expect(run.output()).toContain(`started a local Redis on port ${redisPort}`);
      expect(await readyz(run.port)).toBe(200);
      run.child.kill('SIGTERM');
      expect(await run.exited).toBe(0);
    } finally {
      // The Redis npm start launched is a daemon that outlives it, by design; this test stops it.
      const redis = new Redis(`redis://127.0.0.1:${redisPort}`, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      redis.on('error', () => undefined);
      await redis.connect().then(() => redis.call('SHUTDOWN', 'NOSAVE')).catch(() => undefined);
      redis.disconnect();
      rmSync(join(ROOT, '.data', 'redis', `redis-${redisPort}.log`), { force: true });
    }
  });

  it('prints what to do and exits 1 when Redis neither answers nor can be started', async ({ expect }) => {
    const redisPort = await freePort();
    // No redis-server on PATH: nothing npm start could launch.
    const run = await runStart({ REDIS_URL: `redis://127.0.0.1:${redisPort}`, PATH: '/nonexistent' });
    expect(await run.exited).toBe(1);
    expect(run.output()).toContain(`Redis is not available: Redis is not installed and nothing answers on port ${redisPort}`);
    expect(run.output()).not.toContain('[api]');
  });
});
