import type { Duplex } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APIConnectionError, UnauthenticatedError, type Job, type JobProgress } from '../../../../sdk-js/src/index.js';
import { startGenerationStack, type GenerationStack } from '../../../support/generation-stack.js';
import { newApiKeyClient, newSessionClient } from '../sdk.harness.js';

/** Twice real time: a 6 s track runs about 3 s, long enough to act while it runs. */
let stack: GenerationStack;
/** Every WebSocket upgrade the API received, to count connections and drop them. */
const upgrades: Duplex[] = [];
beforeAll(async () => {
  stack = await startGenerationStack('sdksubs', { PROVIDER_LOCAL_SPEED: '2' });
  stack.api.httpServer.on('upgrade', (_request, socket: Duplex) => upgrades.push(socket));
});
afterAll(async () => {
  await stack.stop();
});

const SONG = { prompt: 'a slow ambient drone', durationSeconds: 6 };

describe('reconnect', () => {
  it('survives the server dropping the socket: reconnects, resubscribes and still reaches SUCCEEDED', async () => {
    const { client } = await newSessionClient(stack.api.url);
    try {
      const job = await client.generation.generate(SONG);
      const before = upgrades.length;
      const events: JobProgress[] = [];
      let dropped = false;
      for await (const event of client.jobs.watch(job.id)) {
        events.push(event);
        if (!dropped) {
          expect(event.status).not.toBe('SUCCEEDED');
          // Cut the TCP connection under the socket, as a crashed proxy or server would.
          for (const socket of upgrades.slice(before)) socket.destroy();
          dropped = true;
        }
      }
      expect(upgrades.length - before).toBeGreaterThanOrEqual(2);
      expect(events.at(-1)).toMatchObject({ status: 'SUCCEEDED', progress: 100 });
      const progress = events.map((e) => e.progress);
      expect(progress).toEqual([...progress].sort((a, b) => a - b));
    } finally {
      await client.close();
    }
  });
});

describe('credentials', () => {
  it('fails the subscription with UnauthenticatedError when its API key is revoked, without reconnecting', async () => {
    const { client: session } = await newSessionClient(stack.api.url);
    const { client, keyId } = await newApiKeyClient(session, stack.api.url, ['generate:write', 'jobs:read']);
    try {
      const job = await client.generation.generate(SONG);
      const before = upgrades.length;
      const watching = client.jobs.watch(job.id);
      expect((await watching.next()).value).toMatchObject({ job: { id: job.id } });
      await session.apiKeys.revoke(keyId);
      // Ticks already on the way may still arrive; then the socket closes with 4403.
      let error: unknown;
      try {
        for (let step = await watching.next(); !step.done; step = await watching.next()) expect(step.value.status).not.toBe('SUCCEEDED');
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(UnauthenticatedError);
      expect((error as UnauthenticatedError).message).toMatch(/4403/);
      expect(upgrades.length - before).toBe(1);
    } finally {
      await client.close();
    }
  });
});

describe('jobs.updates and close', () => {
  it('streams every change of the viewer’s jobs until the loop breaks', async () => {
    const { client } = await newSessionClient(stack.api.url);
    try {
      // Subscribed before the job exists; the job takes seconds, so its changes arrive after.
      const updates = client.jobs.updates();
      const first = updates.next();
      const job = await client.generation.generate(SONG);
      const seen: Job[] = [(await first).value as Job];
      for await (const update of updates) {
        seen.push(update);
        if (update.status === 'SUCCEEDED') break;
      }
      expect(seen.every((j) => j.id === job.id)).toBe(true);
      expect(seen.at(-1)).toMatchObject({ status: 'SUCCEEDED', progress: 100 });
    } finally {
      await client.close();
    }
  });

  it('ends open subscriptions on close() and refuses new ones', async () => {
    const { client } = await newSessionClient(stack.api.url);
    const updates = client.jobs.updates();
    const pending = updates.next();
    await client.close();
    expect(await pending).toEqual({ done: true, value: undefined });
    await expect(client.jobs.updates().next()).rejects.toBeInstanceOf(APIConnectionError);
  });
});
