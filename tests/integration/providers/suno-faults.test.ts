import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeWav } from '../../../server/modules/generation/providers/audio/wav.encoder.js';
import { ProviderErrorCode } from '../../../server/modules/generation/providers/provider.codes.js';
import { ProviderError, ProviderPermanentError, ProviderTransientError } from '../../../server/modules/generation/providers/provider.errors.js';
import { createSunoProvider, type SunoProviderOptions } from '../../../server/modules/generation/providers/suno.provider.js';
import { generationRequest, recordingOptions } from '../../support/fakes/generation-request.js';
import { startFakeSunoServer, type FakeSunoOptions, type FakeSunoServer } from '../../support/fakes/suno-server.js';

const API_KEY = 'sk-live-5ecret-do-not-leak';

let fake: FakeSunoServer | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

/** A fake provider and an adapter pointed at it, tuned so retries take milliseconds. */
async function setUp(fakeOptions: Partial<FakeSunoOptions> = {}, adapterOptions: Partial<SunoProviderOptions> = {}) {
  fake = await startFakeSunoServer({ apiKey: API_KEY, pollsBeforeSuccess: 2, ...fakeOptions });
  const provider = createSunoProvider({ baseUrl: fake.url, apiKey: API_KEY, pollIntervalMs: 5, requestTimeoutMs: 2000, maxRetries: 3, retryBaseMs: 5, retryMaxMs: 20, ...adapterOptions });
  return { fake, provider };
}

async function failureOf(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ProviderError);
  const providerError = error as ProviderError;
  // Whatever went wrong, the key never reaches an error a worker might log or show.
  for (const text of [providerError.message, providerError.userMessage, providerError.stack ?? '']) expect(text).not.toContain(API_KEY);
  return providerError;
}

describe('Create', () => {
  it('sends the request with the Bearer key and the job id as Idempotency-Key', async () => {
    const { fake, provider } = await setUp();
    const request = generationRequest({ prompt: 'neon city nights', style: 'synthwave', title: 'Neon', instrumental: false, durationSeconds: 9, model: 'mv-pro' });
    const result = await provider.generate(request, recordingOptions());
    const [create] = fake.requestsTo('create');
    expect(create!.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(create!.headers['idempotency-key']).toBe(request.jobId);
    expect(JSON.parse(create!.body)).toEqual({ prompt: 'neon city nights', style: 'synthwave', title: 'Neon', instrumental: false, model: 'mv-pro', duration: 9 });
    expect(result.providerCost).toBe(12);
    expect(result.metadata.taskId).toBe([...fake.tasks.keys()][0]);
  });

  it('retries a create whose answer was lost and still starts only one task', async () => {
    const { fake, provider } = await setUp({}, { requestTimeoutMs: 300 });
    fake.script('create', { hang: true }, { status: 503 });
    await provider.generate(generationRequest(), recordingOptions());
    const creates = fake.requestsTo('create');
    expect(creates).toHaveLength(3);
    expect(new Set(creates.map((request) => request.headers['idempotency-key'])).size).toBe(1);
    expect(fake.tasks.size).toBe(1);
  });

  it('fails at once as permanent when the provider refuses the request, quoting its reason', async () => {
    const { fake, provider } = await setUp();
    fake.script('create', { status: 422, body: { message: 'Prompt mentions a protected artist' } });
    const error = await failureOf(provider.generate(generationRequest(), recordingOptions()));
    expect(error).toBeInstanceOf(ProviderPermanentError);
    expect(error.code).toBe(ProviderErrorCode.Refused);
    expect(error.userMessage).toBe('The music provider refused the request: Prompt mentions a protected artist');
    expect(fake.requestsTo('create')).toHaveLength(1);
  });

  it('redacts the key when a refusal quotes it back', async () => {
    const { fake, provider } = await setUp();
    fake.script('create', { status: 400, body: { message: `Key ${API_KEY} may not use model mv-pro` } });
    const error = await failureOf(provider.generate(generationRequest(), recordingOptions()));
    expect(error.userMessage).toBe('The music provider refused the request: Key [redacted] may not use model mv-pro');
  });

  it('fails as permanent with 401 when the key is wrong, without repeating the key the provider echoed', async () => {
    fake = await startFakeSunoServer({ apiKey: 'the-right-key' });
    const provider = createSunoProvider({ baseUrl: fake.url, apiKey: API_KEY, retryBaseMs: 5 });
    const error = await failureOf(provider.generate(generationRequest(), recordingOptions()));
    expect(error).toBeInstanceOf(ProviderPermanentError);
    expect(error.code).toBe(ProviderErrorCode.Unauthorized);
    expect(error.userMessage).toMatch(/^The music provider refused the request/);
    expect(fake.requestsTo('create')).toHaveLength(1);
  });

  it('fails as permanent when the create answer has no taskId', async () => {
    const { fake, provider } = await setUp();
    fake.script('create', { status: 200, body: { id: 'not-what-we-asked-for' } });
    const error = await failureOf(provider.generate(generationRequest(), recordingOptions()));
    expect(error).toBeInstanceOf(ProviderPermanentError);
    expect(error.code).toBe(ProviderErrorCode.BadResponse);
  });
});

describe('Poll', () => {
  it('retries polls answered 500 and then finishes the track', async () => {
    const { fake, provider } = await setUp();
    fake.script('poll', { status: 500 }, { status: 502 });
    const result = await provider.generate(generationRequest(), recordingOptions());
    expect(result.audio.length).toBeGreaterThan(44);
    // Two failed polls, then PENDING, GENERATING and SUCCESS.
    expect(fake.requestsTo('poll')).toHaveLength(5);
  });

  it('waits as long as Retry-After asks before polling again after a 429', async () => {
    const { fake, provider } = await setUp();
    fake.script('poll', { status: 429, headers: { 'retry-after': '1' }, body: { message: 'Slow down' } });
    await provider.generate(generationRequest(), recordingOptions());
    const [limited, retried] = fake.requestsTo('poll');
    // The adapter's own backoff is 5 ms; only Retry-After explains a wait of a second.
    expect(retried!.at - limited!.at).toBeGreaterThanOrEqual(950);
  });

  it('gives up with a transient error once the retries for a 500 are used up', async () => {
    const { fake, provider } = await setUp({}, { maxRetries: 2 });
    fake.script('poll', { status: 500 }, { status: 500 }, { status: 500 });
    const error = await failureOf(provider.generate(generationRequest(), recordingOptions()));
    expect(error).toBeInstanceOf(ProviderTransientError);
    expect(error.code).toBe(ProviderErrorCode.Unavailable);
    expect(error.userMessage).toBe('The music provider is unavailable right now; please try again later');
    expect(fake.requestsTo('poll')).toHaveLength(3);
  });

  it('times out a poll that never answers and reports it as transient', async () => {
    const { fake, provider } = await setUp({}, { requestTimeoutMs: 200, maxRetries: 1 });
    fake.script('poll', { hang: true }, { hang: true });
    const error = await failureOf(provider.generate(generationRequest(), recordingOptions()));
    expect(error).toBeInstanceOf(ProviderTransientError);
    expect(error.code).toBe(ProviderErrorCode.Timeout);
    expect(fake.requestsTo('poll')).toHaveLength(2);
  });

  it('stops at the total deadline when the task never finishes', async () => {
    const { provider } = await setUp({ pollsBeforeSuccess: 1_000_000 }, { totalTimeoutMs: 300, pollIntervalMs: 20 });
    const error = await failureOf(provider.generate(generationRequest(), recordingOptions()));
    expect(error).toBeInstanceOf(ProviderTransientError);
    expect(error.code).toBe(ProviderErrorCode.Timeout);
    expect(error.userMessage).toMatch(/took too long/);
  });

  it('fails as permanent, without retrying, when the answer is not JSON', async () => {
    const { fake, provider } = await setUp();
    fake.script('poll', { status: 200, body: '<html>upstream proxy error' });
    const error = await failureOf(provider.generate(generationRequest(), recordingOptions()));
    expect(error).toBeInstanceOf(ProviderPermanentError);
    expect(error.code).toBe(ProviderErrorCode.BadResponse);
    expect(error.userMessage).toBe('The music provider returned an invalid response');
    expect(fake.requestsTo('poll')).toHaveLength(1);
  });

  it('fails as permanent when the status is one the wire format does not know', async () => {
    const { fake, provider } = await setUp();
    fake.script('poll', { status: 200, body: { status: 'EXPLODED' } });
    const error = await failureOf(provider.generate(generationRequest(), recordingOptions()));
    expect(error).toBeInstanceOf(ProviderPermanentError);
    expect(error.code).toBe(ProviderErrorCode.BadResponse);
  });

  it('fails as permanent with the provider’s own reason when the task FAILED', async () => {
    const { provider } = await setUp({ failWith: 'Lyrics contain restricted content' });
    const error = await failureOf(provider.generate(generationRequest(), recordingOptions()));
    expect(error).toBeInstanceOf(ProviderPermanentError);
    expect(error.code).toBe(ProviderErrorCode.GenerationFailed);
    expect(error.userMessage).toBe('The music provider could not generate this track: Lyrics contain restricted content');
  });

  it('maps PENDING and GENERATING to rising progress with stages', async () => {
    const { provider } = await setUp({ pollsBeforeSuccess: 5 });
    const options = recordingOptions();
    await provider.generate(generationRequest(), options);
    expect(options.reports.map((report) => report.stage)).toEqual(expect.arrayContaining(['queued', 'generating', 'downloading']));
    expect(options.reports.at(-1)).toEqual({ progress: 90, stage: 'downloading' });
  });
});

describe('Download', () => {
  it('retries a download answered 503 and returns the audio', async () => {
    const { fake, provider } = await setUp();
    fake.script('download', { status: 503 });
    const result = await provider.generate(generationRequest({ durationSeconds: 5 }), recordingOptions());
    expect(result.contentType).toBe('audio/wav');
    expect(fake.requestsTo('download')).toHaveLength(2);
  });

  it('does not send the API key to a download on another origin', async () => {
    // A CDN on its own port: it serves audio to anyone and records what it was sent.
    const seen: IncomingHttpHeaders[] = [];
    const cdn = createServer((req, res) => {
      seen.push(req.headers);
      res.writeHead(200, { 'content-type': 'audio/wav' }).end(encodeWav([new Float32Array(8000)], 8000));
    });
    await new Promise<void>((resolve) => cdn.listen(0, '127.0.0.1', resolve));
    try {
      const { provider } = await setUp({ audioOrigin: `http://127.0.0.1:${(cdn.address() as AddressInfo).port}` });
      const result = await provider.generate(generationRequest(), recordingOptions());
      expect(result.audio.length).toBe(44 + 8000 * 2);
      expect(seen).toHaveLength(1);
      expect(seen[0]!.authorization).toBeUndefined();
    } finally {
      cdn.closeAllConnections();
      await new Promise((resolve) => cdn.close(resolve));
    }
  });

  it('fails as permanent when the download is not audio', async () => {
    const { fake, provider } = await setUp();
    fake.script('download', { status: 200, body: { message: 'this is JSON, not audio' } });
    const error = await failureOf(provider.generate(generationRequest(), recordingOptions()));
    expect(error).toBeInstanceOf(ProviderPermanentError);
    expect(error.code).toBe(ProviderErrorCode.BadResponse);
  });
});
