import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiServer } from '../../../server/app.js';
import { startTestApi } from '../../support/api.js';
import { codesOf, dataOf, gql } from '../../support/graphql-client.js';
import { signInNewUser, type SignedInUser } from '../../support/users.js';

const GENERATE = `mutation($input: GenerateTrackInput!) { generateTrack(input: $input) { id status progress stage cost model durationSeconds attempts } }`;
const CANCEL = `mutation($id: ID!) { cancelJob(id: $id) { id status stage error { code message } } }`;
const BALANCE = `{ viewer { credits { available held } } }`;

interface JobData {
  id: string;
  status: string;
  cost: number;
  model: string;
}

/**
 * generateTrack and cancelJob at the API, with no worker running: what the request does before
 * any audio is made (pricing, gating, holding, queueing, idempotency).
 */
let api: ApiServer;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  await api.stop();
});

async function generate(user: SignedInUser, input: Record<string, unknown>) {
  return gql<{ generateTrack: JobData }>(api.url, GENERATE, { token: user.token, variables: { input: { prompt: 'a calm piano piece about rain', durationSeconds: 30, idempotencyKey: randomUUID(), ...input } } });
}

async function balance(user: SignedInUser) {
  return dataOf(await gql<{ viewer: { credits: { available: number; held: number } } }>(api.url, BALANCE, { token: user.token })).viewer.credits;
}

describe('generateTrack', () => {
  it('prices the request, holds the credits and queues the job', async () => {
    const user = await signInNewUser(api.url);
    const job = dataOf(await generate(user, { durationSeconds: 150 })).generateTrack;
    // mv-lite: 10 for the first minute + 5 for each further started minute (2 more).
    expect(job).toMatchObject({ status: 'QUEUED', cost: 20, model: 'mv-lite' });
    expect(await balance(user)).toEqual({ available: 30, held: 20 });
    const listed = dataOf(await gql<{ viewer: { jobs: { totalCount: number; edges: Array<{ node: { id: string; status: string } }> } } }>(api.url, `{ viewer { jobs(first: 5) { totalCount edges { node { id status } } } } }`, { token: user.token })).viewer.jobs;
    expect(listed.edges.map((e) => e.node)).toEqual([{ id: job.id, status: 'QUEUED' }]);
    const holds = dataOf(await gql<{ viewer: { holds: { edges: Array<{ node: { amount: number; reference: string; status: string } }> } } }>(api.url, `{ viewer { holds(first: 5) { edges { node { amount reference status } } } } }`, { token: user.token })).viewer.holds;
    expect(holds.edges[0]!.node).toEqual({ amount: 20, reference: job.id, status: 'PENDING' });
  });

  it('returns the same job for the same idempotency key and charges once', async () => {
    const user = await signInNewUser(api.url);
    const idempotencyKey = randomUUID();
    const results = await Promise.all(Array.from({ length: 8 }, () => generate(user, { idempotencyKey })));
    expect(new Set(results.map((r) => dataOf(r).generateTrack.id)).size).toBe(1);
    expect(await balance(user)).toEqual({ available: 40, held: 10 });
    const changed = await generate(user, { idempotencyKey, prompt: 'something else' });
    expect(codesOf(changed)).toEqual(['IDEMPOTENCY_KEY_REUSED']);
    expect(changed.errors?.[0]?.extensions?.field).toBe('prompt');
  });

  it('refuses a model outside the tier with FEATURE_NOT_IN_TIER and an upgrade hint, holding nothing', async () => {
    const user = await signInNewUser(api.url);
    const response = await generate(user, { model: 'mv-pro' });
    expect(codesOf(response)).toEqual(['FEATURE_NOT_IN_TIER']);
    expect(response.errors?.[0]?.extensions?.upgrade).toBe('pro');
    expect(await balance(user)).toEqual({ available: 50, held: 0 });
  });

  it('refuses a second concurrent job on the free tier with FEATURE_NOT_IN_TIER', async () => {
    const user = await signInNewUser(api.url);
    const attempts = await Promise.all([generate(user, {}), generate(user, {}), generate(user, {})]);
    expect(attempts.filter((r) => !r.errors)).toHaveLength(1);
    expect(attempts.filter((r) => r.errors).flatMap((r) => codesOf(r))).toEqual(['FEATURE_NOT_IN_TIER', 'FEATURE_NOT_IN_TIER']);
    expect(await balance(user)).toEqual({ available: 40, held: 10 });
  });

  it('refuses when the balance cannot cover the price with INSUFFICIENT_CREDITS, writing no job', async () => {
    const user = await signInNewUser(api.url);
    await gql(api.url, BALANCE, { token: user.token });
    const em = api.infra.orm.em.fork();
    await em.execute(`insert into credit_transactions (id, user_id, type, available_delta, held_delta, available_after, held_after, idempotency_key, reason, created_at) values (gen_random_uuid(), ?, 'ADJUST', -45, 0, 5, 0, ?, 'test', now())`, [user.userId, randomUUID()]);
    await em.execute(`update credit_accounts set available = 5 where user_id = ?`, [user.userId]);
    const response = await generate(user, {});
    expect(codesOf(response)).toEqual(['INSUFFICIENT_CREDITS']);
    const jobs = dataOf(await gql<{ viewer: { jobs: { totalCount: number } } }>(api.url, `{ viewer { jobs { totalCount } } }`, { token: user.token })).viewer.jobs;
    expect(jobs.totalCount).toBe(0);
  });

  it.each([
    ['an empty prompt', { prompt: ' ' }, 'prompt'],
    ['a prompt over 1000 characters', { prompt: 'x'.repeat(1001) }, 'prompt'],
    ['4 seconds', { durationSeconds: 4 }, 'durationSeconds'],
    ['241 seconds', { durationSeconds: 241 }, 'durationSeconds'],
    ['an unknown model', { model: 'mv-nope' }, 'model'],
  ])('refuses %s with BAD_USER_INPUT naming the field', async (_label, input, field) => {
    const user = await signInNewUser(api.url);
    const response = await generate(user, input);
    expect(codesOf(response)).toEqual(['BAD_USER_INPUT']);
    expect(response.errors?.[0]?.extensions?.field).toBe(field);
  });

  it('needs the generate:write scope for API keys', async () => {
    const user = await signInNewUser(api.url);
    const key = dataOf(await gql<{ createApiKey: { key: string } }>(api.url, `mutation { createApiKey(input: { name: "ro", scopes: ["tracks:read", "jobs:read"] }) { key } }`, { token: user.token })).createApiKey.key;
    const response = await gql(api.url, GENERATE, { apiKey: key, variables: { input: { prompt: 'x', durationSeconds: 10, idempotencyKey: randomUUID() } } });
    expect(codesOf(response)).toEqual(['FORBIDDEN']);
  });
});

describe('cancelJob', () => {
  it('cancels a queued job at once and returns its credits', async () => {
    const user = await signInNewUser(api.url);
    const job = dataOf(await generate(user, {})).generateTrack;
    const cancelled = dataOf(await gql<{ cancelJob: { status: string; error: { code: string } } }>(api.url, CANCEL, { token: user.token, variables: { id: job.id } })).cancelJob;
    expect(cancelled).toMatchObject({ status: 'CANCELLED', error: { code: 'CANCELLED' } });
    expect(await balance(user)).toEqual({ available: 50, held: 0 });
    expect(codesOf(await gql(api.url, CANCEL, { token: user.token, variables: { id: job.id } }))).toEqual(['CONFLICT']);
  });

  it('holds the concurrent-job limit under 12 requests at once, and a cancelled job frees its slot', async () => {
    const user = await signInNewUser(api.url);
    await gql(api.url, BALANCE, { token: user.token });
    const em = api.infra.orm.em.fork();
    await em.execute(`update users set tier = 'pro' where id = ?`, [user.userId]);
    const activeJobs = async () => {
      const [row] = await em.execute<Array<{ active_jobs: number; counted: string }>>(
        `select a.active_jobs, (select count(*) from jobs where user_id = a.user_id and status in ('QUEUED', 'RUNNING')) as counted from credit_accounts a where a.user_id = ?`,
        [user.userId],
      );
      return { kept: row!.active_jobs, counted: Number(row!.counted) };
    };

    const attempts = await Promise.all(Array.from({ length: 12 }, () => generate(user, {})));
    const placed = attempts.filter((r) => !r.errors).map((r) => dataOf(r).generateTrack);
    expect(placed).toHaveLength(3);
    expect(attempts.filter((r) => r.errors).flatMap((r) => codesOf(r))).toEqual(Array(9).fill('FEATURE_NOT_IN_TIER'));
    expect(await activeJobs()).toEqual({ kept: 3, counted: 3 });
    // Only the three placed jobs hold credits (today's grant came on the free tier: 50).
    expect(await balance(user)).toEqual({ available: 50 - 30, held: 30 });

    await gql(api.url, CANCEL, { token: user.token, variables: { id: placed[0]!.id } });
    expect(await activeJobs()).toEqual({ kept: 2, counted: 2 });
    expect(dataOf(await generate(user, {})).generateTrack.status).toBe('QUEUED');
    expect(codesOf(await generate(user, {}))).toEqual(['FEATURE_NOT_IN_TIER']);
    expect(await activeJobs()).toEqual({ kept: 3, counted: 3 });
  });

  it("answers NOT_FOUND for someone else's job", async () => {
    const owner = await signInNewUser(api.url);
    const stranger = await signInNewUser(api.url);
    const job = dataOf(await generate(owner, {})).generateTrack;
    expect(codesOf(await gql(api.url, CANCEL, { token: stranger.token, variables: { id: job.id } }))).toEqual(['NOT_FOUND']);
    expect(dataOf(await gql<{ node: unknown }>(api.url, `query($id: ID!) { node(id: $id) { id } }`, { token: stranger.token, variables: { id: job.id } })).node).toBeNull();
  });
});
