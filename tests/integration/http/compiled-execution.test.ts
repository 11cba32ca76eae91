import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiServer } from '../../../server/app.js';
import { startTestApi } from '../../support/api.js';
import { signInNewUser, type SignedInUser } from '../../support/users.js';

/**
 * GraphQL over HTTP runs compiled operations (graphql-jit) where they answer as graphql-js does.
 * Two APIs on one database, one compiled (the default) and one with GRAPHQL_JIT=off, must give
 * every client the same status and the same JSON for the same document: data, errors, codes,
 * paths and locations. The compiled API answers each document twice (the second time from its
 * cached plan).
 */
let compiled: ApiServer;
let interpreted: ApiServer;
let owner: SignedInUser;
let stranger: SignedInUser;
let trackIds: string[];
let foreignTrackId: string;
beforeAll(async () => {
  [compiled, interpreted] = await Promise.all([startTestApi(), startTestApi({ GRAPHQL_JIT: 'off' })]);
  owner = await signInNewUser(compiled.url);
  stranger = await signInNewUser(compiled.url);
  trackIds = await seedLibrary(owner, 3);
  [foreignTrackId] = await seedLibrary(stranger, 1);
});
afterAll(async () => {
  await Promise.all([compiled?.stop(), interpreted?.stop()]);
});

const gid = (type: string, id: string) => Buffer.from(`${type}:${id}`).toString('base64url');

/** Tracks with versions and the jobs that made them, plus a failed and a queued job; global track ids, newest first. */
async function seedLibrary(user: SignedInUser, count: number): Promise<string[]> {
  const em = compiled.infra.orm.em.fork();
  const job = async (status: string, at: Date, trackId: string | null, error: string | null) => {
    const id = randomUUID();
    await em.execute(
      `insert into jobs (id, user_id, status, progress, stage, prompt, title, instrumental, duration_seconds, model, seed, cost, hold_id, idempotency_key, attempts, error_code, error_message, track_id, created_at, updated_at, started_at, finished_at)
       values (?, ?, ?, ?, ?, 'a calm song', 'Calm', true, 45, 'mv-lite', 7, 12, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?)`,
      [id, user.userId, status, status === 'QUEUED' ? 0 : 100, status === 'QUEUED' ? 'queued' : 'done', randomUUID(), randomUUID(), error, error && 'the provider refused', trackId, at, at, status === 'QUEUED' ? null : at, status === 'QUEUED' ? null : at],
    );
    return id;
  };
  const ids: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const trackId = randomUUID();
    const at = new Date(Date.UTC(2026, 1, 1 + i, 9));
    const jobId = await job('SUCCEEDED', at, trackId, null);
    await em.execute(`insert into tracks (id, user_id, title, style, prompt, revision, created_at, updated_at) values (?, ?, ?, 'lo-fi', 'a calm song', 1, ?, ?)`, [trackId, user.userId, `Track ${i}`, at, at]);
    let parent: string | null = null;
    for (let n = 1; n <= 2; n += 1) {
      const versionId = randomUUID();
      await em.execute(
        `insert into track_versions (id, track_id, number, parent_version_id, artifact_key, content_type, size_bytes, duration_seconds, source, job_id, metadata, created_at) values (?, ?, ?, ?, ?, 'audio/wav', ?, 45, ?, ?, ?, ?)`,
        [versionId, trackId, n, parent, `tracks/${trackId}/${n}.wav`, 4000 + n, n === 1 ? 'generation' : 'edit', n === 1 ? jobId : null, JSON.stringify({ tempo: 90 + n, key: 'A minor' }), at],
      );
      parent = versionId;
    }
    ids.unshift(gid('Track', trackId));
  }
  await job('FAILED', new Date(Date.UTC(2026, 2, 1)), null, 'PROVIDER_REFUSED');
  await job('QUEUED', new Date(Date.UTC(2026, 2, 2)), null, null);
  return ids;
}

interface Answer { status: number; body: unknown }

async function post(api: ApiServer, body: Record<string, unknown>, token: string | null): Promise<Answer> {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/graphql-response+json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(`${api.url}/graphql`, { method: 'POST', headers, body: JSON.stringify(body) });
  return { status: response.status, body: await response.json() };
}

/**
 * Values that differ per request, not per executor: a signed link's expiry and signature (kept
 * as its path, disposition and filename) and the next daily grant (the next UTC midnight, which
 * moves if the requests straddle one). A mutation's own timestamp is left out of its selection.
 */
function normalised(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) return value.map((v) => normalised(v));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalised(v, k)]));
  if (key === 'nextGrantAt' && typeof value === 'string') return '<time>';
  if (typeof value !== 'string' || !/^https?:\/\//.test(value)) return value;
  const url = new URL(value);
  return { file: url.pathname, disposition: url.searchParams.get('disposition'), filename: url.searchParams.get('filename'), signed: Boolean(url.searchParams.get('sig')) };
}

/** Sends the document to both APIs (twice to the compiled one); answers what both answered. */
async function same(body: Record<string, unknown>, token: string | null = owner.token): Promise<{ status: number; body: { data?: Record<string, unknown> | null; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> } }> {
  const first = await post(compiled, body, token);
  const again = await post(compiled, body, token);
  const plain = await post(interpreted, body, token);
  expect(normalised(first)).toStrictEqual(normalised(plain));
  expect(normalised(again)).toStrictEqual(normalised(plain));
  return plain as Awaited<ReturnType<typeof same>>;
}

const VERSION = 'id __typename number parentVersionId source contentType sizeBytes durationSeconds metadata createdAt audioUrl downloadUrl';
const JOB = 'id status progress stage prompt title style instrumental durationSeconds model cost attempts provider providerCost error { code message } createdAt startedAt finishedAt';
const LIBRARY = `query Library($first: Int, $after: String) { viewer { tracks(first: $first, after: $after) {
  totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  edges { cursor node { id title style prompt revision createdAt updatedAt versions { ${VERSION} } currentVersion { ${VERSION} } job { ${JOB} } } } } } }`;
const codes = (answer: Awaited<ReturnType<typeof same>>) => (answer.body.errors ?? []).map((e) => e.extensions?.code);

describe('queries', () => {
  it('answers the library page with every field identically, page after page', async () => {
    const first = await same({ query: LIBRARY, variables: { first: 2 } });
    const tracks = (first.body.data?.viewer as { tracks: { edges: Array<{ node: { id: string } }>; pageInfo: { endCursor: string } } }).tracks;
    expect(tracks.edges.map((e) => e.node.id)).toEqual(trackIds.slice(0, 2));
    const next = await same({ query: LIBRARY, variables: { first: 2, after: tracks.pageInfo.endCursor } });
    expect(JSON.stringify(next.body)).toContain(trackIds[2]);
  });

  it('answers jobs, credits and the price catalog identically', async () => {
    const jobs = await same({ query: `{ viewer { jobs(first: 10) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { ${JOB} track { id title } } } } } }` });
    expect(JSON.stringify(jobs.body)).toContain('PROVIDER_REFUSED');
    await same({ query: `query Failed { viewer { jobs(first: 5, status: FAILED) { totalCount edges { node { id status error { code } } } } } }` });
    const credits = await same({ query: '{ viewer { credits { available held dailyGrant tier nextGrantAt } user { id firstName tier isAdmin telegramId } } }' });
    expect(credits.body.errors).toBeUndefined();
    const catalog = await same({ query: '{ priceCatalog { model credits creditsPerExtraMinute description active } }' }, null);
    expect((catalog.body.data?.priceCatalog as unknown[]).length).toBeGreaterThan(0);
  });

  it('answers __typename at the root, inside lists and on mutations identically', async () => {
    expect((await same({ query: '{ __typename }' })).body).toEqual({ data: { __typename: 'Query' } });
    await same({ query: '{ viewer { __typename tracks(first: 1) { __typename edges { __typename node { __typename versions { __typename } job { __typename } } } } } }' });
    expect((await same({ query: 'mutation { __typename }' })).body).toEqual({ data: { __typename: 'Mutation' } });
  });
});

describe('variables and operation names', () => {
  const PAGE = 'query Page($n: Int) { viewer { tracks(first: $n) { edges { node { id title } } } } }';

  it('coerces variables identically and refuses a wrong type with the same request error', async () => {
    await same({ query: PAGE, variables: { n: 1 } });
    for (const n of ['two', 2.5, true, [1]]) {
      const refused = await same({ query: PAGE, variables: { n } });
      expect(refused.status).toBe(400);
      expect(codes(refused)).toEqual(['BAD_USER_INPUT']);
    }
    const missing = await same({ query: 'query($n: Int!) { viewer { tracks(first: $n) { totalCount } } }', variables: {} });
    expect(codes(missing)).toEqual(['BAD_USER_INPUT']);
  });

  it('refuses an unknown operation name and two operations without a name identically', async () => {
    const query = 'query A { __typename } query B { viewer { user { id } } }';
    expect((await same({ query, operationName: 'B' })).body).toEqual({ data: { viewer: { user: { id: owner.id } } } });
    expect(codes(await same({ query, operationName: 'C' }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await same({ query }))).toEqual(['BAD_USER_INPUT']);
  });
});

describe('errors', () => {
  it('answers field errors from resolvers with the same code, field, path and locations', async () => {
    const cursor = await same({ query: '{ viewer { tracks(first: 2, after: "not-a-cursor") { totalCount } } }' });
    expect(cursor.body.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'after' });
    const large = await same({ query: 'query { viewer { jobs(first: 1000) { totalCount } } }' });
    expect(codes(large)).toEqual(['BAD_USER_INPUT']);
    expect(codes(await same({ query: '{ viewer { user { id } } }' }, null))).toEqual(['UNAUTHENTICATED']);
  });

  it('answers a mutation that fails with CONFLICT identically, and one that succeeds alike', async () => {
    const UPDATE = 'mutation Rename($id: ID!, $rev: Int) { updateTrack(id: $id, input: { title: "Renamed" }, expectedRevision: $rev) { title style revision versions { number } } }';
    // Revision 0 is stale on both APIs, so both see the same state and nothing changes.
    const stale = await same({ query: UPDATE, variables: { id: trackIds[0], rev: 0 } });
    expect(codes(stale)).toEqual(['CONFLICT']);
    // A successful edit changes the track: each API renames its own fresh one.
    const [mine, theirs] = await Promise.all([seedLibrary(owner, 1), seedLibrary(owner, 1)]);
    const renamed = await post(compiled, { query: UPDATE, variables: { id: mine[0], rev: 1 } }, owner.token);
    const plain = await post(interpreted, { query: UPDATE, variables: { id: theirs[0], rev: 1 } }, owner.token);
    expect(normalised(renamed)).toStrictEqual(normalised(plain));
    expect(plain.body).toMatchObject({ data: { updateTrack: { title: 'Renamed', revision: 2 } } });
  });

  it('masks a stored value GraphQL cannot show as INTERNAL and nulls the same parents', async () => {
    const user = await signInNewUser(compiled.url);
    const [newest] = await seedLibrary(user, 2);
    // metadata is a JSONObject: an array stored by mistake cannot be shown (on the newest version of the newest track).
    const trackId = Buffer.from(newest!, 'base64url').toString('utf8').split(':')[1];
    await compiled.infra.orm.em.fork().execute(`update track_versions set metadata = '[1, 2]' where track_id = ? and number = 2`, [trackId]);
    const list = await same({ query: '{ viewer { tracks(first: 5) { edges { node { title versions { number metadata } } } } } }' }, user.token);
    expect(list.body.data).toBeNull();
    const current = await same({ query: '{ viewer { tracks(first: 5) { edges { node { title currentVersion { number metadata } } } } } }' }, user.token);
    expect(codes(current)).toEqual(['INTERNAL']);
    expect(current.body.data).toMatchObject({ viewer: { tracks: { edges: [{ node: { title: 'Track 1', currentVersion: null } }, { node: { title: 'Track 0', currentVersion: { number: 2 } } }] } } });
  });
});

describe('node(id:)', () => {
  it('answers null for a foreign object and {} for an own object of another type than the fragment', async () => {
    const query = 'query($id: ID!) { node(id: $id) { id ... on Track { title versions { number } } } }';
    expect((await same({ query, variables: { id: foreignTrackId } })).body).toEqual({ data: { node: null } });
    const own = await same({ query: 'query($id: ID!) { node(id: $id) { ... on Job { status } } }', variables: { id: trackIds[0] } });
    expect(own.body).toEqual({ data: { node: {} } });
    await same({ query, variables: { id: trackIds[1] } });
  });
});
