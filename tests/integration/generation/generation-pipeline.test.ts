import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataOf, gql } from '../../support/graphql-client.js';
import { startGenerationStack, watchJob, type GenerationStack } from '../../support/generation-stack.js';
import { signInNewUser } from '../../support/users.js';

const GENERATE = `mutation($input: GenerateTrackInput!) { generateTrack(input: $input) { id status cost } }`;
const JOB = `query($id: ID!) { node(id: $id) { ... on Job { status progress stage attempts provider error { code message }
  track { id title revision currentVersion { number contentType durationSeconds sizeBytes metadata source } versions { number } } } } }`;

let stack: GenerationStack;
beforeAll(async () => {
  stack = await startGenerationStack('pipeline');
});
afterAll(async () => {
  await stack.stop();
});

describe('generation with the local provider', () => {
  it('goes from prompt to a playable track, streams progress to the end and charges exactly once', async () => {
    const user = await signInNewUser(stack.api.url);
    const job = dataOf(await gql<{ generateTrack: { id: string; cost: number } }>(stack.api.url, GENERATE, {
      token: user.token,
      variables: { input: { prompt: 'an energetic rock anthem about summer', style: 'rock', durationSeconds: 12, idempotencyKey: randomUUID() } },
    })).generateTrack;
    const events = await watchJob(stack.socket(user.token), job.id);

    expect(events.at(-1)).toMatchObject({ status: 'SUCCEEDED', progress: 100 });
    const progress = events.map((e) => e.progress);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    for (const mark of [10, 50, 90]) expect(progress.some((p) => p >= mark)).toBe(true);

    const done = dataOf(await gql<{ node: { status: string; attempts: number; provider: string; track: { title: string; revision: number; currentVersion: { number: number; contentType: string; durationSeconds: number; sizeBytes: number; metadata: Record<string, unknown>; source: string }; versions: Array<{ number: number }> } } }>(stack.api.url, JOB, { token: user.token, variables: { id: job.id } })).node;
    expect(done).toMatchObject({ status: 'SUCCEEDED', attempts: 1, provider: 'local' });
    expect(done.track.currentVersion).toMatchObject({ number: 1, contentType: 'audio/wav', durationSeconds: 12, source: 'generation' });
    expect(done.track.currentVersion.sizeBytes).toBeGreaterThan(12 * 8_000);
    expect(done.track.currentVersion.metadata).toHaveProperty('tempo');
    expect(done.track.versions).toEqual([{ number: 1 }]);

    const credits = dataOf(await gql<{ viewer: { credits: { available: number; held: number }; transactions: { edges: Array<{ node: { type: string; amount: number } }> } } }>(
      stack.api.url,
      `{ viewer { credits { available held } transactions(first: 10) { edges { node { type amount } } } } }`,
      { token: user.token },
    )).viewer;
    expect(credits.credits).toEqual({ available: 50 - job.cost, held: 0 });
    expect(credits.transactions.edges.map((e) => e.node)).toEqual([
      { type: 'COMMIT', amount: -job.cost },
      { type: 'HOLD', amount: 0 },
      { type: 'GRANT', amount: 50 },
    ]);
  });

  it('sends a late subscriber the finished state at once and completes', async () => {
    const user = await signInNewUser(stack.api.url);
    const job = dataOf(await gql<{ generateTrack: { id: string } }>(stack.api.url, GENERATE, {
      token: user.token,
      variables: { input: { prompt: 'short calm ambient loop', durationSeconds: 5, idempotencyKey: randomUUID() } },
    })).generateTrack;
    await watchJob(stack.socket(user.token), job.id);
    const late = await watchJob(stack.socket(user.token), job.id);
    expect(late).toEqual([{ status: 'SUCCEEDED', progress: 100, stage: 'done' }]);
  });
});
