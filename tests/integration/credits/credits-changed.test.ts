import { randomUUID } from 'node:crypto';
import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ApiServer } from '../../../server/app.js';
import { createLogger } from '../../../server/infra/logger.js';
import { startWorker, type RunningWorker } from '../../../workers/worker.js';
import { startTestApi, testConfig } from '../../support/api.js';
import { codesOf, dataOf, gql } from '../../support/graphql-client.js';
import { signInNewUser } from '../../support/users.js';

interface Account {
  available: number;
  held: number;
}

/**
 * Two API instances and a worker (the outbox relay) on one database and Redis: a change made
 * through instance A reaches a subscriber of instance B.
 */
let a: ApiServer;
let b: ApiServer;
let worker: RunningWorker;
const clients: Client[] = [];
beforeAll(async () => {
  [a, b] = await Promise.all([startTestApi(), startTestApi()]);
  worker = await startWorker(testConfig(), createLogger('silent', 'worker-test'), { processors: [], schedules: [] });
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await worker.stop();
  await Promise.all([a.stop(), b.stop()]);
});

function socket(api: ApiServer, connectionParams: Record<string, string>): Client {
  const client = createClient({ url: `${api.url.replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams, retryAttempts: 0 });
  clients.push(client);
  return client;
}

/** Collects creditsChanged events; resolves `ready` once the server has acknowledged the subscription. */
function watchCredits(client: Client) {
  const events: Account[] = [];
  const errors: unknown[] = [];
  const dispose = client.subscribe<{ creditsChanged: Account }>(
    { query: 'subscription { creditsChanged { available held } }' },
    {
      next: (result) => {
        if (result.errors) errors.push(...result.errors);
        if (result.data) events.push(result.data.creditsChanged);
      },
      error: (error) => errors.push(error),
      complete: () => undefined,
    },
  );
  const until = async (predicate: (e: Account[]) => boolean, timeoutMs = 5_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(events)) {
      if (Date.now() > deadline) throw new Error(`no matching creditsChanged event: ${JSON.stringify({ events, errors })}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  return { events, errors, dispose, until };
}

/** The subscription is live once a change made now is seen; keep nudging until it is. */
async function untilLive(watch: ReturnType<typeof watchCredits>, nudge: () => Promise<unknown>): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (watch.events.length === 0) {
    if (Date.now() > deadline) throw new Error(`subscription never delivered: ${JSON.stringify(watch.errors)}`);
    await nudge();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('creditsChanged', () => {
  it('delivers the balance after a hold placed through another API instance', async () => {
    const user = await signInNewUser(a.url);
    dataOf(await gql(a.url, '{ viewer { credits { available } } }', { token: user.token }));
    const watch = watchCredits(socket(b, { Authorization: `Bearer ${user.token}` }));
    // The daily grant was taken above; a zero-change nudge is not possible, so nudge with 1-credit holds.
    await untilLive(watch, () => gql(a.url, `mutation($k: String!) { placeHold(input: { amount: 1, reason: "nudge", idempotencyKey: $k }) { id } }`, { token: user.token, variables: { k: randomUUID() } }));
    dataOf(await gql(a.url, `mutation { placeHold(input: { amount: 20, reason: "render", idempotencyKey: "${randomUUID()}" }) { id } }`, { token: user.token }));
    // A nudge's event may still be on its way: wait for the balance the server reports after the hold.
    const { credits } = dataOf(await gql<{ viewer: { credits: Account } }>(a.url, '{ viewer { credits { available held } } }', { token: user.token })).viewer;
    expect(credits.held).toBeGreaterThanOrEqual(21);
    await watch.until((events) => events.some((e) => e.held === credits.held && e.available === credits.available));
    expect(credits.available + credits.held).toBe(50);
    watch.dispose();
  });

  it("never delivers another user's changes", async () => {
    const watcher = await signInNewUser(a.url);
    const other = await signInNewUser(a.url);
    const watch = watchCredits(socket(b, { Authorization: `Bearer ${watcher.token}` }));
    await untilLive(watch, () => gql(a.url, `mutation($k: String!) { placeHold(input: { amount: 1, reason: "nudge", idempotencyKey: $k }) { id } }`, { token: watcher.token, variables: { k: randomUUID() } }));
    // 49 held leaves the other user a balance (1 available) the watcher's 1- and 2-credit holds never reach.
    dataOf(await gql(a.url, `mutation { placeHold(input: { amount: 49, reason: "other", idempotencyKey: "${randomUUID()}" }) { id } }`, { token: other.token }));
    // A later change of the watcher's own proves the stream is flowing past the other user's change.
    dataOf(await gql(a.url, `mutation { placeHold(input: { amount: 2, reason: "mine", idempotencyKey: "${randomUUID()}" }) { id } }`, { token: watcher.token }));
    // How many nudges it took depends on when the subscription went live: read where the watcher ended.
    const { credits } = dataOf(await gql<{ viewer: { credits: Account } }>(a.url, '{ viewer { credits { available held } } }', { token: watcher.token })).viewer;
    await watch.until((events) => events.some((e) => e.held === credits.held));
    // Every event is a balance from the watcher's own journal.
    const journal = await a.infra.orm.em.fork().execute<Array<{ available_after: number; held_after: number }>>(
      `select available_after, held_after from credit_transactions where user_id = ?`,
      [watcher.userId],
    );
    const own = new Set(journal.map((entry) => `${entry.available_after}/${entry.held_after}`));
    expect(watch.events.filter((e) => !own.has(`${e.available}/${e.held}`))).toEqual([]);
    watch.dispose();
  });

  it('refuses an API key without credits:read with FORBIDDEN', async () => {
    const user = await signInNewUser(a.url);
    const key = dataOf(await gql<{ createApiKey: { key: string } }>(a.url, `mutation { createApiKey(input: { name: "t", scopes: ["tracks:read"] }) { key } }`, { token: user.token })).createApiKey.key;
    const watch = watchCredits(socket(b, { 'X-API-Key': key }));
    const deadline = Date.now() + 5_000;
    while (watch.errors.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(JSON.stringify(watch.errors)).toMatch(/FORBIDDEN/);
    expect(watch.events).toEqual([]);
  });

  it('is refused over plain HTTP with a clear error', async () => {
    const user = await signInNewUser(a.url);
    const response = await gql(a.url, 'subscription { creditsChanged { available } }', { token: user.token });
    expect(response, JSON.stringify(response)).toMatchObject({ status: 400 });
    expect(response.errors?.length).toBeGreaterThan(0);
    expect(codesOf(response)[0]).toBe('BAD_USER_INPUT');
  });
});
