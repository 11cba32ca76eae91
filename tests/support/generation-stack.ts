import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type Client } from 'graphql-ws';
import { inject } from 'vitest';
import WebSocket from 'ws';
import type { ApiServer } from '../../server/app.js';
import { createLogger } from '../../server/infra/logger.js';
import { startWorker, type RunningWorker } from '../../workers/worker.js';
import type { Schedule } from '../../workers/processors.js';
import { createOwnDatabase } from '../integration/worker/worker-process.harness.js';
import { startTestApi, testConfig } from './api.js';

export interface GenerationStack {
  api: ApiServer;
  worker: RunningWorker;
  storageDir: string;
  env: Record<string, string>;
  socket: (token: string) => Client;
  stop: () => Promise<void>;
}

/**
 * An API and a worker (relay + generation) on a database and Redis prefix of their own: the
 * worker relays every queued job it finds, so it must not see other suites' jobs.
 */
export async function startGenerationStack(name: string, env: Record<string, string> = {}, schedules: readonly Schedule[] = []): Promise<GenerationStack> {
  const database = await createOwnDatabase(`${name}${randomUUID().slice(0, 6)}`);
  const storageDir = await mkdtemp(join(tmpdir(), 'mv-storage-'));
  const stackEnv = { DATABASE_URL: database.url, REDIS_PREFIX: `${inject('redisPrefix')}${name}:`, STORAGE_DIR: storageDir, ...env };
  const api = await startTestApi(stackEnv);
  const worker = await startWorker(testConfig(stackEnv), createLogger(process.env.TEST_LOG_LEVEL ?? 'silent', 'worker-test'), { schedules });
  const clients: Client[] = [];
  return {
    api,
    worker,
    storageDir,
    env: stackEnv,
    socket: (token) => {
      const client = createClient({ url: `${api.url.replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { Authorization: `Bearer ${token}` }, retryAttempts: 0 });
      clients.push(client);
      return client;
    },
    stop: async () => {
      await Promise.all(clients.map((c) => c.dispose()));
      await worker.stop();
      await api.stop();
      await database.drop();
      await rm(storageDir, { recursive: true, force: true });
    },
  };
}

export interface ProgressEvent {
  progress: number;
  stage: string;
  status: string;
}

/** Subscribes to jobProgress and resolves with every event once the subscription completes. */
export function watchJob(client: Client, jobId: string, onEvent: (event: ProgressEvent) => void = () => undefined): Promise<ProgressEvent[]> {
  return new Promise((resolve, reject) => {
    const events: ProgressEvent[] = [];
    client.subscribe<{ jobProgress: ProgressEvent }>(
      { query: 'subscription($jobId: ID!) { jobProgress(jobId: $jobId) { progress stage status } }', variables: { jobId } },
      {
        next: (result) => {
          if (result.errors) reject(new Error(JSON.stringify(result.errors)));
          if (result.data) {
            events.push(result.data.jobProgress);
            onEvent(result.data.jobProgress);
          }
        },
        error: reject,
        complete: () => resolve(events),
      },
    );
  });
}
