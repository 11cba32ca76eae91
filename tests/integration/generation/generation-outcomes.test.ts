import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataOf, gql } from '../../support/graphql-client.js';
import { startGenerationStack, watchJob, type GenerationStack } from '../../support/generation-stack.js';
import { startFakeSunoServer, type FakeSunoServer } from '../../support/fakes/suno-server.js';
import { signInNewUser } from '../../support/users.js';

const GENERATE = `mutation($input: GenerateTrackInput!) { generateTrack(input: $input) { id cost } }`;
const JOB = `query($id: ID!) { node(id: $id) { ... on Job { status provider providerCost error { code message } track { id } } } }`;
const CREDITS = `{ viewer { credits { available held } } }`;

interface JobNode {
  status: string;
  provider: string | null;
  providerCost: number | null;
  error: { code: string; message: string } | null;
  track: { id: string } | null;
}

async function generate(stack: GenerationStack, token: string, durationSeconds = 10) {
  return dataOf(await gql<{ generateTrack: { id: string; cost: number } }>(stack.api.url, GENERATE, {
    token,
    variables: { input: { prompt: 'a slow sad song about the sea', durationSeconds, idempotencyKey: randomUUID() } },
  })).generateTrack;
}

async function jobNode(stack: GenerationStack, token: string, id: string): Promise<JobNode> {
  return dataOf(await gql<{ node: JobNode }>(stack.api.url, JOB, { token, variables: { id } })).node;
}

describe('with a Suno-style provider', () => {
  const API_KEY = 'suno-test-key-do-not-log';
  let suno: FakeSunoServer;
  let stack: GenerationStack;
  beforeAll(async () => {
    suno = await startFakeSunoServer({ apiKey: API_KEY, pollsBeforeSuccess: 2, cost: 12 });
    stack = await startGenerationStack('suno', { PROVIDER: 'suno', PROVIDER_BASE_URL: suno.url, PROVIDER_API_KEY: API_KEY, PROVIDER_POLL_INTERVAL_MS: '20', PROVIDER_TIMEOUT_MS: '2000' });
  });
  afterAll(async () => {
    await stack.stop();
    await suno.close();
  });

  it('stores the downloaded audio, records the provider cost and charges once', async () => {
    const user = await signInNewUser(stack.api.url);
    const job = await generate(stack, user.token);
    const events = await watchJob(stack.socket(user.token), job.id);
    expect(events.at(-1)?.status).toBe('SUCCEEDED');
    expect(await jobNode(stack, user.token, job.id)).toMatchObject({ status: 'SUCCEEDED', provider: 'suno', providerCost: 12 });
    expect(dataOf(await gql<{ viewer: { credits: unknown } }>(stack.api.url, CREDITS, { token: user.token })).viewer.credits).toEqual({ available: 50 - job.cost, held: 0 });
    const spend = await stack.api.infra.orm.em.fork().execute<{ amount: number }[]>(`select amount from provider_ledger where provider = 'suno' and reference = ?`, [job.id]);
    expect(spend).toEqual([{ amount: -12 }]);
  });

  it('fails the job with the reason the provider gave and returns the credits', async () => {
    const user = await signInNewUser(stack.api.url);
    suno.options.failWith = 'The prompt was refused by the content policy';
    try {
      const job = await generate(stack, user.token);
      const events = await watchJob(stack.socket(user.token), job.id);
      expect(events.at(-1)?.status).toBe('FAILED');
      const failed = await jobNode(stack, user.token, job.id);
      expect(failed.track).toBeNull();
      expect(failed.error?.message).toMatch(/content policy/);
      expect(JSON.stringify(failed)).not.toContain(API_KEY);
      expect(dataOf(await gql<{ viewer: { credits: unknown } }>(stack.api.url, CREDITS, { token: user.token })).viewer.credits).toEqual({ available: 50, held: 0 });
    } finally {
      suno.options.failWith = undefined;
    }
  });
});

describe('cancelling a running job', () => {
  let stack: GenerationStack;
  beforeAll(async () => {
    // Rendered at real time, so the job is still running when the cancel arrives.
    stack = await startGenerationStack('cancel', { PROVIDER_LOCAL_SPEED: '1' });
  });
  afterAll(async () => {
    await stack.stop();
  });

  it('stops the provider, ends CANCELLED and returns every held credit', async () => {
    const user = await signInNewUser(stack.api.url);
    const job = await generate(stack, user.token, 60);
    let cancelled = false;
    const events = await watchJob(stack.socket(user.token), job.id, (event) => {
      if (!cancelled && event.status === 'RUNNING' && event.progress >= 10) {
        cancelled = true;
        void gql(stack.api.url, `mutation($id: ID!) { cancelJob(id: $id) { status } }`, { token: user.token, variables: { id: job.id } });
      }
    });
    expect(events.at(-1)?.status).toBe('CANCELLED');
    expect(events.at(-1)!.progress).toBeLessThan(100);
    expect(await jobNode(stack, user.token, job.id)).toMatchObject({ status: 'CANCELLED', track: null, error: { code: 'CANCELLED' } });
    expect(dataOf(await gql<{ viewer: { credits: unknown } }>(stack.api.url, CREDITS, { token: user.token })).viewer.credits).toEqual({ available: 50, held: 0 });
  });
});

describe('a provider that answers garbage', () => {
  const API_KEY = 'suno-garbage-key';
  let suno: FakeSunoServer;
  let stack: GenerationStack;
  beforeAll(async () => {
    suno = await startFakeSunoServer({ apiKey: API_KEY });
    stack = await startGenerationStack('garbage', { PROVIDER: 'suno', PROVIDER_BASE_URL: suno.url, PROVIDER_API_KEY: API_KEY, PROVIDER_POLL_INTERVAL_MS: '20', PROVIDER_TIMEOUT_MS: '2000' });
  });
  afterAll(async () => {
    await stack.stop();
    await suno.close();
  });

  it('fails the job at once with a readable reason and returns the credits', async () => {
    const user = await signInNewUser(stack.api.url);
    suno.script('create', { status: 200, body: '<html>Bad Gateway</html>', headers: { 'content-type': 'text/html' } });
    const job = await generate(stack, user.token);
    const events = await watchJob(stack.socket(user.token), job.id);
    expect(events.at(-1)?.status).toBe('FAILED');
    const failed = await jobNode(stack, user.token, job.id);
    expect(failed.error?.code).toMatch(/^PROVIDER_/);
    expect(failed.error?.message.length).toBeGreaterThan(10);
    expect(dataOf(await gql<{ viewer: { credits: unknown } }>(stack.api.url, CREDITS, { token: user.token })).viewer.credits).toEqual({ available: 50, held: 0 });
  });
});
