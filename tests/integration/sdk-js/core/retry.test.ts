import { afterEach, describe, expect, it } from 'vitest';
import { retryDelayMs } from '../../../../sdk-js/src/core/retry.js';
import { InternalServerError, MusicVerse, RateLimitedError, ViewerDocument } from '../../../../sdk-js/src/index.js';
import { failed, ok, startFakeGraphQL, type FakeAnswer, type FakeGraphQLServer } from '../sdk.harness.js';

const ME = { viewer: { user: { id: 'VXNlcjox', telegramId: '1', firstName: 'Ada', lastName: null, username: null, languageCode: null, photoUrl: null, isPremium: false, tier: 'FREE', isAdmin: false, createdAt: '2026-01-01T00:00:00.000Z' } } };
const JOB = { id: 'Sm9iOjE', status: 'QUEUED', stage: 'queued', progress: 0, prompt: 'p', title: null, style: null, instrumental: false, durationSeconds: 5, model: 'mv-lite', cost: 10, attempts: 0, provider: null, providerCost: null, error: null, createdAt: '2026-01-01T00:00:00.000Z', startedAt: null, finishedAt: null, track: null };
const UNAVAILABLE: FakeAnswer = { status: 503, body: 'upstream unavailable' };

let fake: FakeGraphQLServer | undefined;
afterEach(async () => {
  await fake?.stop();
  fake = undefined;
});

async function clientFor(answers: FakeAnswer[], maxRetries?: number): Promise<MusicVerse> {
  fake = await startFakeGraphQL(answers);
  return new MusicVerse({ apiKey: 'amv_live_test' }, { baseUrl: fake.url, maxRetries });
}

describe('retry of queries', () => {
  it('retries an HTTP 503 and answers the data of the next attempt, after about 0.5 s', async () => {
    const client = await clientFor([UNAVAILABLE, ok(ME)]);
    const me = await client.viewer.me();
    expect(me.firstName).toBe('Ada');
    expect(fake!.received).toHaveLength(2);
    const wait = fake!.received[1]!.at - fake!.received[0]!.at;
    // 0.5 s less up to 25 % jitter.
    expect(wait).toBeGreaterThanOrEqual(370);
    expect(wait).toBeLessThan(2000);
  });

  it('waits as long as Retry-After says on HTTP 429 before the next attempt', async () => {
    const client = await clientFor([{ status: 429, headers: { 'retry-after': '1' }, body: 'slow down' }, ok(ME)]);
    await client.viewer.me();
    expect(fake!.received).toHaveLength(2);
    expect(fake!.received[1]!.at - fake!.received[0]!.at).toBeGreaterThanOrEqual(990);
  });

  it('retries RATE_LIMITED after extensions.retryAfter and throws RateLimitedError with it once retries run out', async () => {
    const client = await clientFor([failed(200, 'RATE_LIMITED', { retryAfter: 0.3 })], 1);
    const error = await client.viewer.me().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).retryAfter).toBe(0.3);
    expect(fake!.received).toHaveLength(2);
    expect(fake!.received[1]!.at - fake!.received[0]!.at).toBeGreaterThanOrEqual(290);
  });

  it('gives up after maxRetries (2 by default) with InternalServerError carrying the status and request id', async () => {
    const client = await clientFor([{ status: 502, headers: { 'x-request-id': 'req-abcdef12' }, body: 'bad gateway' }]);
    const error = await client.request(ViewerDocument).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InternalServerError);
    expect(error).toMatchObject({ code: 'INTERNAL', status: 502, requestId: 'req-abcdef12' });
    expect(fake!.received).toHaveLength(3);
  });

  it('does not retry when the request sets maxRetries 0', async () => {
    const client = await clientFor([UNAVAILABLE, ok(ME)]);
    await expect(client.viewer.me({ maxRetries: 0 })).rejects.toBeInstanceOf(InternalServerError);
    expect(fake!.received).toHaveLength(1);
  });
});

describe('retry of mutations', () => {
  it('never retries a mutation without an idempotency key', async () => {
    const client = await clientFor([UNAVAILABLE, ok({ deleteTrack: 'VHJhY2s6MQ' })]);
    await expect(client.tracks.delete('VHJhY2s6MQ')).rejects.toBeInstanceOf(InternalServerError);
    expect(fake!.received).toHaveLength(1);
  });

  it('retries generate() with one idempotency key it made, the same in every attempt', async () => {
    const client = await clientFor([UNAVAILABLE, { status: 500, body: '' }, ok({ generateTrack: JOB })]);
    const job = await client.generation.generate({ prompt: 'p', durationSeconds: 5 });
    expect(job.id).toBe(JOB.id);
    expect(fake!.received).toHaveLength(3);
    const keys = fake!.received.map((r) => (r.body.variables?.input as { idempotencyKey?: string }).idempotencyKey);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Set(keys)).toEqual(new Set([keys[0]]));
  });

  it('makes a new idempotency key for each generate() call and keeps a caller-given one', async () => {
    const client = await clientFor([ok({ generateTrack: JOB })]);
    await client.generation.generate({ prompt: 'p', durationSeconds: 5 });
    await client.generation.generate({ prompt: 'p', durationSeconds: 5 });
    await client.generation.generate({ prompt: 'p', durationSeconds: 5, idempotencyKey: 'my-order-17' });
    const keys = fake!.received.map((r) => (r.body.variables?.input as { idempotencyKey: string }).idempotencyKey);
    expect(keys[0]).not.toBe(keys[1]);
    expect(keys[2]).toBe('my-order-17');
  });
});

describe('retryDelayMs', () => {
  it('doubles from 0.5 s to at most 8 s, less up to 25 % jitter, and prefers a usable server retry-after', () => {
    expect([0, 1, 2, 3, 4, 5].map((retry) => retryDelayMs(retry, undefined, () => 0))).toEqual([500, 1000, 2000, 4000, 8000, 8000]);
    expect([0, 4].map((retry) => retryDelayMs(retry, undefined, () => 1))).toEqual([375, 6000]);
    expect(retryDelayMs(0, 2500)).toBe(2500);
    // Above a minute the server's value is not waited for.
    expect(retryDelayMs(0, 3_600_000, () => 0)).toBe(500);
  });
});
