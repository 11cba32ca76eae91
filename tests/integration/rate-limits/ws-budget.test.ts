import { createClient, type Client } from 'graphql-ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ApiServer } from '../../../server/app.js';
import { codesOf, gql } from '../../support/graphql-client.js';
import { signInNewUser } from '../../support/users.js';
import { awayFromWindowEnd, burst, CHEAP, rateLimitHeaders, startLimitedApi } from './rate-limits.harness.js';

interface Answer {
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
  closed?: { code: number };
}

let api: ApiServer;
const clients: Client[] = [];
beforeAll(async () => {
  api = await startLimitedApi('ws');
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.dispose()));
});
afterAll(async () => {
  await api.stop();
});

/** A socket held open between operations; `isClosed()` tells whether it has closed since. */
function openSocket(token: string): { client: Client; isClosed: () => boolean } {
  let closed = false;
  const client = createClient({
    url: `${api.url.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { Authorization: `Bearer ${token}` },
    retryAttempts: 0,
    lazy: false,
    onNonLazyError: () => undefined,
    on: { closed: () => (closed = true) },
  });
  clients.push(client);
  return { client, isClosed: () => closed };
}

/** Runs one operation: its last result, the errors it was refused with, or the socket's close. */
function run(client: Client, query: string): Promise<Answer> {
  return new Promise((resolve) => {
    let answer: Answer = {};
    client.subscribe(
      { query },
      {
        next: (result) => {
          answer = result as Answer;
        },
        error: (error: unknown) => resolve(Array.isArray(error) ? { errors: error as Answer['errors'] } : { closed: error as { code: number } }),
        complete: () => resolve(answer),
      },
    );
  });
}

describe('Subscribe', () => {
  it('counts each WebSocket operation against the same budget as HTTP, and refuses one over it with RATE_LIMITED while the socket stays open', async () => {
    const user = await signInNewUser(api.url);
    const { client, isClosed } = openSocket(user.token);
    await awayFromWindowEnd();

    const first = await run(client, '{ rateLimit { limit used remaining } }');
    expect(first.data).toEqual({ rateLimit: { limit: 60, used: 1, remaining: 59 } });

    const http = await burst(api.url, 59, CHEAP, { token: user.token });
    expect(http.map((a) => a.status)).toEqual(Array(59).fill(200));

    const refusedQuery = await run(client, CHEAP);
    expect(refusedQuery.closed).toBeUndefined();
    expect(refusedQuery.errors?.map((e) => e.extensions?.code)).toEqual(['RATE_LIMITED']);
    const retryAfter = refusedQuery.errors![0]!.extensions!.retryAfter as number;
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);

    const refusedSubscription = await run(client, 'subscription { creditsChanged { available } }');
    expect(refusedSubscription.errors?.map((e) => e.extensions?.code)).toEqual(['RATE_LIMITED']);
    expect(isClosed()).toBe(false);

    // Refused operations spent nothing: the budget stands at exactly 60 of 60.
    const after = await gql(api.url, CHEAP, { token: user.token });
    expect(codesOf(after)).toEqual(['RATE_LIMITED']);
    expect(rateLimitHeaders(after)).toMatchObject({ used: 60, remaining: 0 });
  });

  it('counts anonymous WebSocket operations against their client address, shared with HTTP', async () => {
    // The socket comes through a proxy on this machine, which names the client (as over HTTP).
    class ForwardedSocket extends WebSocket {
      constructor(url: string, protocols?: string | string[]) {
        super(url, protocols, { headers: { 'x-forwarded-for': '198.51.100.9' } });
      }
    }
    let closed = false;
    const client = createClient({ url: `${api.url.replace(/^http/, 'ws')}/graphql`, webSocketImpl: ForwardedSocket, retryAttempts: 0, on: { closed: () => (closed = true) } });
    clients.push(client);
    await awayFromWindowEnd();
    const answers = await Promise.all(Array.from({ length: 70 }, () => run(client, '{ priceCatalog { model } }')));
    const served = answers.filter((a) => a.errors === undefined && a.data);
    const refused = answers.filter((a) => a.errors?.[0]?.extensions?.code === 'RATE_LIMITED');
    expect([served.length, refused.length]).toEqual([60, 10]);
    expect(closed).toBe(false);

    // The address's budget is the one HTTP spends too; another address has its own.
    const [overHttp] = await burst(api.url, 1, '{ priceCatalog { model } }', { headers: { 'x-forwarded-for': '198.51.100.9' } });
    expect(overHttp!.status).toBe(429);
    const [elsewhere] = await burst(api.url, 1, '{ priceCatalog { model } }', { headers: { 'x-forwarded-for': '198.51.100.10' } });
    expect(elsewhere!.status).toBe(200);
  });
});
