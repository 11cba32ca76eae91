import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiServer } from '../../../../server/app.js';
import {
  BadUserInputError,
  ConflictError,
  FeatureNotInTierError,
  ForbiddenError,
  IdempotencyKeyReusedError,
  InsufficientCreditsError,
  InternalServerError,
  MusicVerse,
  MusicVerseError,
  NotFoundError,
  RateLimitedError,
  UnauthenticatedError,
} from '../../../../sdk-js/src/index.js';
import { startTestApi } from '../../../support/api.js';
import { newApiKeyClient, newSessionClient } from '../sdk.harness.js';

/** Typed errors from a real API (no worker: jobs stay QUEUED). */
let api: ApiServer;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  await api.stop();
});

const SONG = { prompt: 'a calm piano piece about rain', durationSeconds: 5 };

async function rejection(promise: Promise<unknown>): Promise<MusicVerseError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MusicVerseError);
  return error as MusicVerseError;
}

describe('GraphQL errors as classes', () => {
  it('throws InsufficientCreditsError when the balance cannot cover the price, with the request id', async () => {
    const { client } = await newSessionClient(api.url);
    const { available } = await client.credits.balance();
    await client.credits.placeHold({ amount: available, reason: 'spend it all' });
    const error = await rejection(client.generation.generate(SONG));
    expect(error).toBeInstanceOf(InsufficientCreditsError);
    expect(error).toMatchObject({ code: 'INSUFFICIENT_CREDITS', path: ['generateTrack'] });
    expect(error.requestId).toMatch(/^[\w-]{8,64}$/);
  });

  it('throws NotFoundError for another user’s job, from cancelJob (server) and from node() (null)', async () => {
    const { client: owner } = await newSessionClient(api.url);
    const { client: stranger } = await newSessionClient(api.url);
    const job = await owner.generation.generate(SONG);
    expect(await rejection(stranger.jobs.cancel(job.id))).toBeInstanceOf(NotFoundError);
    expect(await rejection(stranger.jobs.get(job.id))).toBeInstanceOf(NotFoundError);
    expect((await owner.jobs.get(job.id)).status).toBe('QUEUED');
  });

  it('throws BadUserInputError naming the field', async () => {
    const { client } = await newSessionClient(api.url);
    const error = await rejection(client.generation.generate({ ...SONG, durationSeconds: 4 }));
    expect(error).toBeInstanceOf(BadUserInputError);
    expect((error as BadUserInputError).field).toBe('durationSeconds');
  });

  it('throws FeatureNotInTierError with the tier to upgrade to', async () => {
    const { client } = await newSessionClient(api.url);
    const error = await rejection(client.generation.generate({ ...SONG, model: 'mv-pro' }));
    expect(error).toBeInstanceOf(FeatureNotInTierError);
    expect((error as FeatureNotInTierError).upgrade).toBe('pro');
  });

  it('throws IdempotencyKeyReusedError when a key comes back with other input', async () => {
    const { client } = await newSessionClient(api.url);
    const idempotencyKey = `order-${Date.now()}`;
    const first = await client.generation.generate({ ...SONG, idempotencyKey });
    expect((await client.generation.generate({ ...SONG, idempotencyKey })).id).toBe(first.id);
    const error = await rejection(client.generation.generate({ ...SONG, prompt: 'something else', idempotencyKey }));
    expect(error).toBeInstanceOf(IdempotencyKeyReusedError);
    expect((error as IdempotencyKeyReusedError).field).toBe('prompt');
  });

  it('throws ConflictError when a job is cancelled twice', async () => {
    const { client } = await newSessionClient(api.url);
    const job = await client.generation.generate(SONG);
    expect((await client.jobs.cancel(job.id)).status).toBe('CANCELLED');
    expect(await rejection(client.jobs.cancel(job.id))).toBeInstanceOf(ConflictError);
  });

  it('throws ForbiddenError for an API key without the scope, and UnauthenticatedError without credentials', async () => {
    const { client: session } = await newSessionClient(api.url);
    const { client: reader } = await newApiKeyClient(session, api.url, ['tracks:read']);
    expect(await rejection(reader.generation.generate(SONG))).toBeInstanceOf(ForbiddenError);
    expect(await rejection(reader.apiKeys.list())).toBeInstanceOf(ForbiddenError);
    expect(await rejection(new MusicVerse({}, { baseUrl: api.url }).viewer.me())).toBeInstanceOf(UnauthenticatedError);
    expect(await rejection(new MusicVerse({ apiKey: 'amv_live_nope' }, { baseUrl: api.url }).viewer.me())).toBeInstanceOf(UnauthenticatedError);
  });
});

describe('MusicVerseError.fromGraphQLError', () => {
  it('picks the class of extensions.code and falls back to InternalServerError', () => {
    const limited = MusicVerseError.fromGraphQLError({ message: 'slow down', path: ['tracks'], extensions: { code: 'RATE_LIMITED', retryAfter: 3 } }, { requestId: 'req-12345678' });
    expect(limited).toBeInstanceOf(RateLimitedError);
    expect(limited).toMatchObject({ message: 'slow down', code: 'RATE_LIMITED', path: ['tracks'], requestId: 'req-12345678', retryAfter: 3 });
    expect(MusicVerseError.fromGraphQLError({ message: 'odd', extensions: { code: 'SOMETHING_NEW' } })).toBeInstanceOf(InternalServerError);
    expect(MusicVerseError.fromGraphQLError({ message: 'bare' })).toMatchObject({ code: 'INTERNAL' });
  });
});
