import { spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { testEnv, TEST_BOT_TOKEN } from '../../support/api.js';
import { API_MAIN, ensureBuilt } from '../../support/build.js';
import { exitOf, freePort, outputOf } from '../../support/processes.js';

/**
 * The compiled API as a process: bad configuration at start, and graceful shutdown on SIGTERM
 * (readiness turns "draining", sockets close with 1001, in-flight requests finish, exit 0).
 */
beforeAll(async () => {
  await ensureBuilt();
}, 120_000);

/** Every process a test started; any still running when the file ends is killed. */
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

function startProcess(env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, [API_MAIN], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return child;
}

/** Runs the API with `env` until it exits; returns its exit code and stderr. */
async function runToExit(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const child = startProcess(env);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  child.stdout?.resume();
  const code = await exitOf(child);
  return { code, stderr };
}

const PRODUCTION = { NODE_ENV: 'production', JWT_SECRET: 'a-production-secret-of-enough-length-42', TELEGRAM_BOT_TOKEN: TEST_BOT_TOKEN };

// Independent processes: these run side by side.
describe.concurrent('Start with bad configuration', () => {
  it.each<[string, Record<string, string>, RegExp]>([
    ['a port that is not a number', { PORT: 'abc' }, /^musicverse: bad configuration: PORT must be a whole number from 0 to 65535, got "abc"$/],
    ['a short JWT_SECRET in production', { ...PRODUCTION, JWT_SECRET: 'short', DEV_LOGIN: '' }, /^musicverse: bad configuration: JWT_SECRET must be set to at least 32 characters$/],
    ['DEV_LOGIN=1 in production', { ...PRODUCTION, DEV_LOGIN: '1' }, /^musicverse: bad configuration: DEV_LOGIN=1 is refused when NODE_ENV=production$/],
    ['an unknown LOG_LEVEL', { LOG_LEVEL: 'loud' }, /^musicverse: bad configuration: LOG_LEVEL must be one of .*, got "loud"$/],
    ['a DATABASE_URL that is not postgres', { DATABASE_URL: 'mysql://localhost/x' }, /^musicverse: bad configuration: DATABASE_URL must use postgres: or postgresql:/],
  ])('exits non-zero with one line on stderr for %s', async (_label, env, line) => {
    const { code, stderr } = await runToExit(testEnv({ PORT: String(await freePort()), ...env }));
    expect(code).not.toBe(0);
    expect(stderr.trimEnd().split('\n'), stderr).toHaveLength(1);
    expect(stderr.trimEnd()).toMatch(line);
  });

  it.each<[string, Record<string, string>, RegExp]>([
    ['Redis does not answer', { REDIS_URL: 'redis://127.0.0.1:1' }, /^musicverse: API failed to start: Redis at 127\.0\.0\.1:1 does not answer; start it or set REDIS_URL$/],
    [
      'PostgreSQL does not answer (and the password stays out of it)',
      { DATABASE_URL: 'postgres://app:s3cret-pw@127.0.0.1:1/musicverse' },
      /^musicverse: API failed to start: could not open the database at 127\.0\.0\.1:1: [^\n]*ECONNREFUSED[^\n]*; check that PostgreSQL runs and DATABASE_URL$/,
    ],
  ])('exits non-zero with one line when %s at start', async (_label, env, line) => {
    const { code, stderr } = await runToExit(testEnv({ PORT: String(await freePort()), ...env }));
    expect(code).not.toBe(0);
    expect(stderr.trimEnd()).toMatch(line);
    expect(stderr).not.toContain('s3cret-pw');
  });

  it('exits non-zero with one line when the port is taken', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, resolve));
    const address = taken.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      const { code, stderr } = await runToExit(testEnv({ PORT: String(port), LOG_LEVEL: 'silent' }));
      expect(code).not.toBe(0);
      expect(stderr.trimEnd()).toMatch(/^musicverse: API failed to start: [^\n]*EADDRINUSE[^\n]*$/);
    } finally {
      taken.close();
    }
  });
});

/** The body of the final response in raw HTTP/1.1 bytes (after any 100 Continue), de-chunked. */
function responseBody(raw: string): { status: number; body: string } {
  const final = raw.replace(/^HTTP\/1\.1 100 Continue\r\n\r\n/, '');
  const split = final.indexOf('\r\n\r\n');
  const head = final.slice(0, split);
  let body = final.slice(split + 4);
  if (/^transfer-encoding:\s*chunked/im.test(head)) {
    let decoded = '';
    for (;;) {
      const lineEnd = body.indexOf('\r\n');
      const size = parseInt(body.slice(0, lineEnd), 16);
      if (!size) break;
      decoded += body.slice(lineEnd + 2, lineEnd + 2 + size);
      body = body.slice(lineEnd + 2 + size + 2);
    }
    body = decoded;
  }
  return { status: Number(head.split(' ')[1]), body };
}

/** An HTTP request whose headers the server has read (it answered 100 Continue) but whose body is held back. */
async function requestInFlight(port: number, body: string): Promise<{ socket: Socket; finish: () => Promise<{ status: number; body: string }> }> {
  const socket = connect(port, '127.0.0.1');
  let received = '';
  socket.on('data', (chunk: Buffer) => {
    received += chunk.toString('utf8');
  });
  const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.write(
    [
      'POST /graphql HTTP/1.1',
      `Host: 127.0.0.1:${port}`,
      'Content-Type: application/json',
      'Accept: application/graphql-response+json',
      `Content-Length: ${Buffer.byteLength(body)}`,
      'Expect: 100-continue',
      'Connection: close',
      '',
      '',
    ].join('\r\n'),
  );
  await new Promise<void>((resolve, reject) => {
    const check = () => {
      if (received.includes('100 Continue')) {
        socket.off('data', check);
        resolve();
      }
    };
    socket.on('data', check);
    socket.once('error', reject);
  });
  return {
    socket,
    finish: async () => {
      socket.write(body);
      await ended;
      return responseBody(received);
    },
  };
}

/** Whether a fresh TCP connection to the port is refused. */
function connectionRefused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

async function until(condition: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('SIGTERM', () => {
  it('drains: readiness turns "draining", sockets close with 1001, the in-flight request completes, new connections are refused, exit 0', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const child = startProcess(testEnv({ PORT: String(port), LOG_LEVEL: 'info', SHUTDOWN_DELAY_MS: '1500', SHUTDOWN_TIMEOUT_MS: '10000' }));
    let stdout = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    await outputOf(child, /API ready/, 30_000);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);

    // An open GraphQL WebSocket, acknowledged.
    const socket = new WebSocket(`ws://127.0.0.1:${port}/graphql`, 'graphql-transport-ws');
    const acked = new Promise<void>((resolve) => socket.on('message', (data) => (JSON.parse(String(data)).type === 'connection_ack' ? resolve() : undefined)));
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: {} })));
    const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
    await acked;

    // An HTTP request the server has started on but cannot finish until its body arrives.
    const inFlight = await requestInFlight(port, JSON.stringify({ query: 'query InFlight { apiKeyScopes { name } }' }));

    const exited = exitOf(child);
    child.kill('SIGTERM');

    // During the delay the instance says it is draining and still answers.
    let draining: { status: number; body: { status?: string } } | undefined;
    await until(async () => {
      const response = await fetch(`${base}/readyz`);
      draining = { status: response.status, body: (await response.json()) as { status?: string } };
      return draining.status === 503;
    }, 'readyz to answer 503');
    expect(draining?.body.status).toBe('draining');

    // Then sockets are told the server is going away, and the listener closes.
    expect(await closed).toBe(1001);
    await until(() => connectionRefused(port), 'new connections to be refused');
    expect(child.exitCode).toBeNull();

    // The request that was in flight still gets its whole answer.
    const answer = await inFlight.finish();
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ data: { apiKeyScopes: expect.arrayContaining([{ name: 'tracks:read' }]) } });

    expect(await exited, `exit signal ${child.signalCode}`).toBe(0);
    expect(stdout).toContain('draining before exit');
  }, 60_000);

  it('exits 0 at once when idle and no delay is configured', async () => {
    const port = await freePort();
    const child = startProcess(testEnv({ PORT: String(port), LOG_LEVEL: 'info' }));
    child.stdout?.resume();
    await outputOf(child, /API ready/, 30_000);
    const exited = exitOf(child);
    const started = Date.now();
    child.kill('SIGTERM');
    expect(await exited, `exit signal ${child.signalCode}`).toBe(0);
    expect(Date.now() - started).toBeLessThan(5_000);
  }, 60_000);
});
