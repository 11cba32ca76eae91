import { randomUUID } from 'node:crypto';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestApi } from '../../support/api.js';
import { dataOf, gql } from '../../support/graphql-client.js';
import { startGenerationStack, watchJob, type GenerationStack, type ProgressEvent } from '../../support/generation-stack.js';
import { signInNewUser } from '../../support/users.js';

const GENERATE = `mutation($input: GenerateTrackInput!) { generateTrack(input: $input) { id status cost } }`;
const JOB = `query($id: ID!) { node(id: $id) { ... on Job { status progress stage attempts provider error { code message }
  track { id title revision currentVersion { number contentType durationSeconds sizeBytes metadata source audioUrl } versions { number } } } } }`;

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

    const done = dataOf(await gql<{ node: { status: string; attempts: number; provider: string; track: { title: string; revision: number; currentVersion: { number: number; contentType: string; durationSeconds: number; sizeBytes: number; metadata: Record<string, unknown>; source: string; audioUrl: string }; versions: Array<{ number: number }> } } }>(stack.api.url, JOB, { token: user.token, variables: { id: job.id } })).node;
    expect(done).toMatchObject({ status: 'SUCCEEDED', attempts: 1, provider: 'local' });
    expect(done.track.currentVersion).toMatchObject({ number: 1, contentType: 'audio/wav', durationSeconds: 12, source: 'generation' });
    expect(done.track.currentVersion.sizeBytes).toBeGreaterThan(12 * 8_000);
    expect(done.track.currentVersion.metadata).toHaveProperty('tempo');
    expect(done.track.versions).toEqual([{ number: 1 }]);

    // The signed link plays: a WAV, seekable. (PUBLIC_URL of a port-0 test server is rewritten.)
    const link = new URL(done.track.currentVersion.audioUrl);
    const audioUrl = `${stack.api.url}${link.pathname}${link.search}`;
    const audio = await fetch(audioUrl);
    expect(audio.status).toBe(200);
    expect(audio.headers.get('content-type')).toBe('audio/wav');
    const bytes = Buffer.from(await audio.arrayBuffer());
    expect(bytes.length).toBe(done.track.currentVersion.sizeBytes);
    expect(bytes.subarray(0, 4).toString('ascii')).toBe('RIFF');
    expect(bytes.subarray(8, 12).toString('ascii')).toBe('WAVE');
    const part = await fetch(audioUrl, { headers: { range: 'bytes=0-99' } });
    expect(part.status).toBe(206);
    expect(Buffer.from(await part.arrayBuffer())).toEqual(bytes.subarray(0, 100));
    expect((await fetch(audioUrl.replace(/sig=[^&]+/, 'sig=AAAA'))).status).toBe(403);

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

describe('generating into a project', () => {
  it("files the new track in the user's project, and refuses another user's project with NOT_FOUND, charging nothing", async () => {
    const user = await signInNewUser(stack.api.url);
    const other = await signInNewUser(stack.api.url);
    const CREATE = `mutation { createProject(input: { name: "Generated" }) { id } }`;
    const project = dataOf(await gql<{ createProject: { id: string } }>(stack.api.url, CREATE, { token: user.token })).createProject;
    const job = dataOf(await gql<{ generateTrack: { id: string } }>(stack.api.url, GENERATE, {
      token: user.token,
      variables: { input: { prompt: 'a folk song for a project', durationSeconds: 5, idempotencyKey: randomUUID(), projectId: project.id } },
    })).generateTrack;
    expect((await watchJob(stack.socket(user.token), job.id)).at(-1)?.status).toBe('SUCCEEDED');
    const filed = dataOf(await gql<{ node: { trackCount: number; tracks: { edges: Array<{ node: { title: string } }> } } }>(
      stack.api.url,
      `query($id: ID!) { node(id: $id) { ... on Project { trackCount tracks { edges { node { title } } } } } }`,
      { token: user.token, variables: { id: project.id } },
    )).node;
    expect(filed.trackCount).toBe(1);
    expect(filed.tracks.edges.map((e) => e.node.title)).toEqual(['a folk song for a project']);

    const foreign = await gql(stack.api.url, GENERATE, {
      token: other.token,
      variables: { input: { prompt: 'into a stranger\'s project', durationSeconds: 5, idempotencyKey: randomUUID(), projectId: project.id } },
    });
    expect(foreign.errors?.map((e) => e.extensions?.code)).toEqual(['NOT_FOUND']);
    const untouched = dataOf(await gql<{ viewer: { credits: { held: number }; jobs: { totalCount: number } } }>(stack.api.url, '{ viewer { credits { held } jobs { totalCount } } }', { token: other.token })).viewer;
    expect(untouched).toEqual({ credits: { held: 0 }, jobs: { totalCount: 0 } });
  });
});

describe('a subscriber joining a running job', () => {
  let slow: GenerationStack;
  beforeAll(async () => {
    slow = await startGenerationStack('midjob', { PROVIDER_LOCAL_SPEED: '2' });
  });
  afterAll(async () => {
    await slow.stop();
  });

  it('starts from the latest progress tick, never behind what others already saw', async () => {
    // The job row takes progress at most once a second, so it lags the ticks; a reconnecting
    // client must not be sent back from 10 % to 0 %.
    const user = await signInNewUser(slow.api.url);
    const job = dataOf(await gql<{ generateTrack: { id: string } }>(slow.api.url, GENERATE, {
      token: user.token,
      variables: { input: { prompt: 'a slow ambient drone', durationSeconds: 8, idempotencyKey: randomUUID() } },
    })).generateTrack;
    let joined: Promise<ProgressEvent[]> | undefined;
    let seenWhenJoining = -1;
    await watchJob(slow.socket(user.token), job.id, (event) => {
      if (joined || event.status !== 'RUNNING' || event.progress < 10) return;
      seenWhenJoining = event.progress;
      joined = watchJob(slow.socket(user.token), job.id);
    });
    const late = await joined!;
    expect(late[0]!.status).toBe('RUNNING');
    expect(late[0]!.progress).toBeGreaterThanOrEqual(seenWhenJoining);
    const progress = late.map((e) => e.progress);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(late.at(-1)).toMatchObject({ status: 'SUCCEEDED', progress: 100 });
  });
});

describe('jobUpdated', () => {
  // A slower provider spreads the ticks out: at full speed the last ones may leave with the
  // job's end, and a subscriber that already heard SUCCEEDED from the outbox rightly drops them.
  let slow: GenerationStack;
  beforeAll(async () => {
    slow = await startGenerationStack('selected-fields', { PROVIDER_LOCAL_SPEED: '2' });
  });
  afterAll(async () => {
    await slow.stop();
  });

  it('sends a change only when a selected field changed: status changes for { id status }, every tick when progress is selected', async () => {
    const user = await signInNewUser(slow.api.url);
    const client = slow.socket(user.token);
    const listen = (selection: string) => {
      const seen: Array<{ status: string; progress?: number }> = [];
      const done = new Promise<typeof seen>((resolve, reject) => {
        client.subscribe<{ jobUpdated: { status: string; progress?: number } }>(
          { query: `subscription { jobUpdated ${selection} }` },
          {
            next: (result) => {
              if (result.errors) reject(new Error(JSON.stringify(result.errors)));
              const update = result.data?.jobUpdated;
              if (!update) return;
              seen.push(update);
              if (update.status === 'SUCCEEDED') resolve(seen);
            },
            error: reject,
            complete: () => undefined,
          },
        );
      });
      return done;
    };
    const narrow = listen('{ id status }');
    const wide = listen('{ id status progress }');
    // Both subscriptions are registered once the server answers a later operation on the socket.
    await new Promise<void>((resolve, reject) => client.subscribe({ query: '{ viewer { user { id } } }' }, { next: () => undefined, error: reject, complete: resolve }));
    await gql(slow.api.url, GENERATE, { token: user.token, variables: { input: { prompt: 'a short lively jingle', durationSeconds: 5, idempotencyKey: randomUUID() } } });

    const statuses = (await narrow).map((update) => update.status);
    expect(statuses.filter((status, i) => status === statuses[i - 1])).toEqual([]);
    expect(statuses).toContain('RUNNING');
    expect(statuses.at(-1)).toBe('SUCCEEDED');
    const ticks = (await wide).map((update) => update.progress);
    for (const mark of [10, 50, 90]) expect(ticks).toContain(mark);
    expect(ticks.length).toBeGreaterThan(statuses.length);
  });
});

describe('subscriptions across API instances', () => {
  it('streams jobUpdated and jobProgress from a second API instance while the first took the request', async () => {
    const second = await startTestApi(stack.env);
    try {
      const user = await signInNewUser(stack.api.url);
      const client = createClient({ url: `${second.url.replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { Authorization: `Bearer ${user.token}` }, retryAttempts: 0 });
      const updates: string[] = [];
      const finished = new Promise<void>((resolve, reject) => {
        client.subscribe<{ jobUpdated: { status: string; track: { id: string } | null } }>(
          { query: 'subscription { jobUpdated { status track { id } } }' },
          {
            next: (result) => {
              if (result.errors) reject(new Error(JSON.stringify(result.errors)));
              const update = result.data?.jobUpdated;
              if (!update) return;
              updates.push(update.status);
              if (update.status === 'SUCCEEDED') {
                expect(update.track?.id).toBeTruthy();
                resolve();
              }
            },
            error: reject,
            complete: () => undefined,
          },
        );
      });
      // The subscription is registered once the server acknowledges a first operation on the socket.
      await new Promise<void>((resolve, reject) => client.subscribe({ query: '{ viewer { user { id } } }' }, { next: () => undefined, error: reject, complete: resolve }));
      const job = dataOf(await gql<{ generateTrack: { id: string } }>(stack.api.url, GENERATE, {
        token: user.token,
        variables: { input: { prompt: 'a bright synth pop tune', durationSeconds: 6, idempotencyKey: randomUUID() } },
      })).generateTrack;
      const progress = await watchJob(client, job.id);
      await finished;
      expect(progress.at(-1)?.status).toBe('SUCCEEDED');
      expect(updates).toContain('RUNNING');
      expect(updates.at(-1)).toBe('SUCCEEDED');
      await client.dispose();
    } finally {
      await second.stop();
    }
  });
});
