import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MusicVerse, type Fetch, type Track } from '../../../../sdk-js/src/index.js';
import { startGenerationStack, type GenerationStack } from '../../../support/generation-stack.js';
import { generateTrack, newSessionClient } from '../sdk.harness.js';

let stack: GenerationStack;
let client: MusicVerse;
let made: string[];
/** Operation names of every HTTP request the counting client sent. */
let sent: string[];
let counting: MusicVerse;

beforeAll(async () => {
  stack = await startGenerationStack('sdkpages');
  const session = await newSessionClient(stack.api.url);
  client = session.client;
  made = [];
  for (const prompt of ['first song', 'second song', 'third song']) made.push((await generateTrack(client, prompt)).track!.id);
  const countingFetch: Fetch = (url, init) => {
    sent.push((JSON.parse(init.body) as { operationName: string }).operationName);
    return fetch(url, init);
  };
  counting = new MusicVerse({ accessToken: session.user.token }, { baseUrl: stack.api.url, fetch: countingFetch });
});
afterAll(async () => {
  await client?.close();
  await stack.stop();
});

describe('tracks.iterate', () => {
  it('walks every track, newest first, fetching pages of pageSize by endCursor', async () => {
    sent = [];
    const seen: Track[] = [];
    for await (const track of counting.tracks.iterate({ pageSize: 2 })) seen.push(track);
    expect(seen.map((t) => t.id)).toEqual([...made].reverse());
    expect(sent).toEqual(['Tracks', 'Tracks']);
  });

  it('stops fetching when the loop breaks', async () => {
    sent = [];
    for await (const _track of counting.tracks.iterate({ pageSize: 2 })) break;
    expect(sent).toEqual(['Tracks']);
  });
});

describe('tracks.list', () => {
  it('answers one page when awaited, with the next page on request', async () => {
    const page = await client.tracks.list({ pageSize: 2 });
    expect(page.items).toHaveLength(2);
    expect(page.totalCount).toBe(3);
    expect(page.hasNextPage()).toBe(true);
    const next = await page.nextPage();
    expect(next?.items.map((t) => t.id)).toEqual([made[0]]);
    expect(next?.hasNextPage()).toBe(false);
    expect(await next?.nextPage()).toBeNull();
  });

  it('is async-iterable without awaiting, and continues after a given cursor', async () => {
    const ids: string[] = [];
    for await (const track of client.tracks.list({ pageSize: 1 })) ids.push(track.id);
    expect(ids).toEqual([...made].reverse());
    const first = await client.tracks.list({ pageSize: 1 });
    const rest = await client.tracks.list({ pageSize: 5, after: first.endCursor! });
    expect(rest.items.map((t) => t.id)).toEqual([made[1], made[0]]);
  });
});

describe('jobs and credits pages', () => {
  it('iterate jobs and the credit journal the same way', async () => {
    const jobs: string[] = [];
    for await (const job of client.jobs.iterate({ pageSize: 2, status: 'SUCCEEDED' })) jobs.push(job.status);
    expect(jobs).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
    const commits: number[] = [];
    for await (const entry of client.credits.transactions({ pageSize: 2, type: 'COMMIT' })) commits.push(entry.amount);
    expect(commits).toHaveLength(3);
  });
});
