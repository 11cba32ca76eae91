import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { Launch, Probe } from './postgres.launcher.js';
import { asAdmin, commandLine, findExecutable, isLoopbackHost, runCommand, waitUntil } from './system.helpers.js';

const STARTUP_TIMEOUT_MS = 10_000;

/** Whether Redis answers PING at the URL (one attempt, no reconnect loop). */
export async function probeRedis(redisUrl: string): Promise<Probe> {
  const redis = new Redis(redisUrl, { lazyConnect: true, connectTimeout: 2_000, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  // The socket error (ECONNREFUSED ...) says more than the rejection ("Connection is closed").
  let socketError: string | undefined;
  redis.on('error', (error: Error) => {
    socketError ??= error.message;
  });
  try {
    await redis.connect();
    await redis.ping();
    return { state: 'up' };
  } catch (error) {
    const reason = socketError ?? (error instanceof Error ? error.message : String(error));
    // An answer such as NOAUTH or WRONGPASS means a server is there but refuses these credentials.
    return /^(NOAUTH|WRONGPASS|NOPERM|ERR )/.test(reason) ? { state: 'refused', reason } : { state: 'down', reason };
  } finally {
    redis.disconnect();
  }
}

/**
 * Starts a daemonised redis-server for a REDIS_URL on this machine: no persistence (the data
 * Redis holds here is queues and pub/sub, rebuilt from PostgreSQL), files under .data/redis.
 */
export async function launchRedis(redisUrl: string, dataRoot: string): Promise<Launch> {
  const url = new URL(redisUrl);
  const port = Number(url.port || 6379);
  if (!isLoopbackHost(url.hostname)) {
    return { started: false, why: `REDIS_URL points at ${url.host}, which does not answer; start Redis there or point REDIS_URL at a running server` };
  }
  const dir = join(dataRoot, 'redis');
  const bind = url.hostname === '::1' || url.hostname === '[::1]' ? '::1' : '127.0.0.1';
  const args = ['--daemonize', 'yes', '--bind', bind, '--port', String(port), '--save', '', '--appendonly', 'no', '--dir', dir, '--logfile', join(dir, `redis-${port}.log`), '--pidfile', join(dir, `redis-${port}.pid`)];
  const server = findExecutable('redis-server');
  if (!server) {
    // Once installed, the next `npm start` starts redis-server itself.
    if (findExecutable('apt-get')) return { started: false, why: `Redis is not installed and nothing answers on port ${port}`, command: asAdmin('apt-get install -y redis-server') };
    return { started: false, why: `Redis is not installed and nothing answers on port ${port}; install Redis 6 or newer and start it on 127.0.0.1:${port}` };
  }
  mkdirSync(dir, { recursive: true });
  // The password, if any, is passed to the server but never printed.
  const withPassword = url.password ? [...args, '--requirepass', decodeURIComponent(url.password)] : args;
  const result = await runCommand(server, withPassword);
  if (!result.ok) return { started: false, why: `redis-server could not start: ${result.output}`, command: commandLine('redis-server', args) };
  const up = await waitUntil(async () => (await probeRedis(redisUrl)).state === 'up', STARTUP_TIMEOUT_MS);
  if (!up) return { started: false, why: `redis-server was started but does not answer on port ${port}; see ${join(dir, `redis-${port}.log`)}` };
  return { started: true, how: `started a local Redis on port ${port}, no persistence (stop it with: redis-cli -p ${port} shutdown nosave)` };
}
