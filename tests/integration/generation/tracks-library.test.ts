import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiServer } from '../../../server/app.js';
import { startTestApi } from '../../support/api.js';
import { codesOf, dataOf, gql } from '../../support/graphql-client.js';
import { countQueries } from '../../support/sql-count.js';
import { signInNewUser, type SignedInUser } from '../../support/users.js';

/**
 * The library over GraphQL, on tracks written straight into the database (generation itself is
 * covered by generation-pipeline.test.ts): paging, edits with revisions, soft delete, ownership,
 * and the number of SQL statements a large page costs.
 */
let api: ApiServer;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  await api.stop();
});

/** Writes `count` tracks, each with `versions` versions and the job that made it. */
async function seedTracks(user: SignedInUser, count: number, versions = 2): Promise<string[]> {
  const em = api.infra.orm.em.fork();
  const ids: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const trackId = randomUUID();
    const jobId = randomUUID();
    const createdAt = new Date(Date.now() - (count - i) * 1000);
    await em.execute(
      `insert into jobs (id, user_id, status, progress, stage, prompt, instrumental, duration_seconds, model, seed, cost, hold_id, idempotency_key, attempts, track_id, created_at, updated_at)
       values (?, ?, 'SUCCEEDED', 100, 'done', ?, false, 30, 'mv-lite', 1, 10, ?, ?, 1, ?, ?, ?)`,
      [jobId, user.userId, `song ${i}`, randomUUID(), randomUUID(), trackId, createdAt, createdAt],
    );
    await em.execute(`insert into tracks (id, user_id, title, prompt, revision, created_at, updated_at) values (?, ?, ?, ?, 1, ?, ?)`, [trackId, user.userId, `Track ${i}`, `song ${i}`, createdAt, createdAt]);
    for (let n = 1; n <= versions; n += 1) {
      await em.execute(
        `insert into track_versions (id, track_id, number, artifact_key, content_type, size_bytes, duration_seconds, source, job_id, metadata, created_at) values (?, ?, ?, ?, 'audio/wav', 1000, 30, ?, ?, '{}', ?)`,
        [randomUUID(), trackId, n, `tracks/${trackId}/${n}.wav`, n === 1 ? 'generation' : 'edit', n === 1 ? jobId : null, createdAt],
      );
    }
    ids.push(Buffer.from(`Track:${trackId}`).toString('base64url'));
  }
  return ids.reverse();
}

const PAGE = `query($first: Int, $after: String) { viewer { tracks(first: $first, after: $after) {
  totalCount pageInfo { hasNextPage endCursor }
  edges { node { id title revision versions { number source } currentVersion { number } job { status cost } } } } } }`;

interface TrackPage {
  viewer: { tracks: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string }; edges: Array<{ node: { id: string; title: string; versions: Array<{ number: number }>; job: { status: string } | null } }> } };
}

describe('viewer.tracks', () => {
  it('serves 50 tracks with versions and jobs in a fixed, small number of SQL statements', async () => {
    const small = await signInNewUser(api.url);
    const large = await signInNewUser(api.url);
    await seedTracks(small, 5);
    await seedTracks(large, 50);
    const few = await countQueries(() => gql<TrackPage>(api.url, PAGE, { token: small.token, variables: { first: 50 } }));
    const many = await countQueries(() => gql<TrackPage>(api.url, PAGE, { token: large.token, variables: { first: 50 } }));
    const page = dataOf(many.result).viewer.tracks;
    expect(page.edges).toHaveLength(50);
    expect(page.edges.every((e) => e.node.versions.length === 2 && e.node.job?.status === 'SUCCEEDED')).toBe(true);
    expect(many.queries).toBe(few.queries);
    expect(many.queries).toBeLessThanOrEqual(6);
  });

  it('pages newest first with cursors', async () => {
    const user = await signInNewUser(api.url);
    const ids = await seedTracks(user, 7, 1);
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: TrackPage['viewer']['tracks'] = dataOf(await gql<TrackPage>(api.url, PAGE, { token: user.token, variables: { first: 3, after } })).viewer.tracks;
      expect(page.totalCount).toBe(7);
      seen.push(...page.edges.map((e) => e.node.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual(ids);
  });
});

describe('updateTrack', () => {
  const UPDATE = `mutation($id: ID!, $title: String, $rev: Int) { updateTrack(id: $id, input: { title: $title }, expectedRevision: $rev) { title revision } }`;

  it('renames and bumps the revision; a stale revision answers CONFLICT and changes nothing', async () => {
    const user = await signInNewUser(api.url);
    const [id] = await seedTracks(user, 1, 1);
    const renamed = dataOf(await gql<{ updateTrack: { title: string; revision: number } }>(api.url, UPDATE, { token: user.token, variables: { id, title: 'Summer', rev: 1 } })).updateTrack;
    expect(renamed).toEqual({ title: 'Summer', revision: 2 });
    const stale = await gql(api.url, UPDATE, { token: user.token, variables: { id, title: 'Winter', rev: 1 } });
    expect(codesOf(stale)).toEqual(['CONFLICT']);
    const node = dataOf(await gql<{ node: { title: string; revision: number } }>(api.url, `query($id: ID!) { node(id: $id) { ... on Track { title revision } } }`, { token: user.token, variables: { id } })).node;
    expect(node).toEqual({ title: 'Summer', revision: 2 });
  });

  it('lets exactly one of two editors with the same revision win', async () => {
    const user = await signInNewUser(api.url);
    const [id] = await seedTracks(user, 1, 1);
    const results = await Promise.all(['A', 'B', 'C', 'D'].map((title) => gql(api.url, UPDATE, { token: user.token, variables: { id, title, rev: 1 } })));
    expect(results.filter((r) => !r.errors)).toHaveLength(1);
    expect(results.filter((r) => r.errors).flatMap((r) => codesOf(r))).toEqual(['CONFLICT', 'CONFLICT', 'CONFLICT']);
  });

  it("answers NOT_FOUND for someone else's track and BAD_USER_INPUT for an empty title", async () => {
    const owner = await signInNewUser(api.url);
    const stranger = await signInNewUser(api.url);
    const [id] = await seedTracks(owner, 1, 1);
    expect(codesOf(await gql(api.url, UPDATE, { token: stranger.token, variables: { id, title: 'Mine now' } }))).toEqual(['NOT_FOUND']);
    const empty = await gql(api.url, UPDATE, { token: owner.token, variables: { id, title: ' ' } });
    expect(codesOf(empty)).toEqual(['BAD_USER_INPUT']);
    expect(empty.errors?.[0]?.extensions?.field).toBe('title');
  });
});

describe('deleteTrack', () => {
  it('removes the track from the library and node(id), keeping its rows for cleanup', async () => {
    const user = await signInNewUser(api.url);
    const [keep, remove] = await seedTracks(user, 2, 1);
    expect(dataOf(await gql<{ deleteTrack: string }>(api.url, `mutation($id: ID!) { deleteTrack(id: $id) }`, { token: user.token, variables: { id: remove } })).deleteTrack).toBe(remove);
    const page = dataOf(await gql<TrackPage>(api.url, PAGE, { token: user.token, variables: { first: 10 } })).viewer.tracks;
    expect(page.edges.map((e) => e.node.id)).toEqual([keep]);
    expect(dataOf(await gql<{ node: unknown }>(api.url, `query($id: ID!) { node(id: $id) { id } }`, { token: user.token, variables: { id: remove } })).node).toBeNull();
    expect(codesOf(await gql(api.url, `mutation($id: ID!) { deleteTrack(id: $id) }`, { token: user.token, variables: { id: remove } }))).toEqual(['NOT_FOUND']);
  });
});
