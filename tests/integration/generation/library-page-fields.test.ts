import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiServer } from '../../../server/app.js';
import { startTestApi } from '../../support/api.js';
import { dataOf, gql } from '../../support/graphql-client.js';
import { signInNewUser, type SignedInUser } from '../../support/users.js';

/**
 * A library page reads each track's versions with only the fields its query shows. Whatever a
 * query selects (one field, fragments, aliases, only the current version, only the job), it must
 * answer what a read of every field answers, projected to that selection; node(id:) must agree.
 */
let api: ApiServer;
let user: SignedInUser;
let seeded: SeededTrack[];
let reference: PageNode[];
beforeAll(async () => {
  api = await startTestApi();
  user = await signInNewUser(api.url);
  seeded = await seedLibrary(user);
  reference = await pageOf(`versions { ${ALL} } currentVersion { ${ALL} } job { id }`);
});
afterAll(async () => {
  await api.stop();
});

const gid = (type: string, id: string) => Buffer.from(`${type}:${id}`).toString('base64url');

interface SeededVersion { id: string; number: number; parent: string | null; key: string; type: string; size: number; duration: number; source: string; job: string | null; metadata: object; at: string }
interface SeededTrack { id: string; current: string | null; versions: SeededVersion[] }

/** Four tracks, newest first on a page: 2 versions (current v1), 3 (current unset), 1 without a job, none. */
async function seedLibrary(owner: SignedInUser): Promise<SeededTrack[]> {
  const em = api.infra.orm.em.fork();
  const tracks: SeededTrack[] = [];
  const plans = [
    { versions: 2, current: 1, jobs: [true, false] },
    { versions: 3, current: null, jobs: [true, false, true] },
    { versions: 1, current: 1, jobs: [false] },
    { versions: 0, current: null, jobs: [] },
  ];
  for (const [t, plan] of plans.entries()) {
    const trackId = randomUUID();
    const at = new Date(Date.UTC(2026, 0, 10 - t, 12));
    const versions: SeededVersion[] = [];
    for (let n = 1; n <= plan.versions; n += 1) {
      const mp3 = (t + n) % 2 === 0;
      versions.push({
        id: randomUUID(), number: n, parent: n === 1 ? null : versions[n - 2]!.id,
        key: `tracks/${trackId}/${n}.${mp3 ? 'mp3' : 'wav'}`, type: mp3 ? 'audio/mpeg' : 'audio/wav',
        size: 1000 * (t + 1) + n, duration: 30 + 7 * n, source: n === 1 ? 'generation' : 'edit',
        job: plan.jobs[n - 1] ? randomUUID() : null,
        metadata: n === 1 ? { tempo: 120 + t, key: 'C minor', instruments: ['piano', 'strings'] } : n === 2 ? {} : { mood: { calm: true } },
        // Microseconds on one version: PostgreSQL keeps them, every answer shows milliseconds.
        at: n === 3 ? `2026-01-0${t + 1}T08:00:00.123456Z` : new Date(at.getTime() + n).toISOString(),
      });
    }
    await em.execute(`insert into tracks (id, user_id, title, prompt, revision, current_version_id, created_at, updated_at) values (?, ?, ?, ?, 1, null, ?, ?)`, [trackId, owner.userId, `Track ${t}`, `song ${t}`, at, at]);
    for (const v of versions) {
      if (v.job) {
        await em.execute(
          `insert into jobs (id, user_id, status, progress, stage, prompt, instrumental, duration_seconds, model, seed, cost, hold_id, idempotency_key, attempts, track_id, created_at, updated_at)
           values (?, ?, 'SUCCEEDED', 100, 'done', ?, false, 30, 'mv-lite', 1, 10, ?, ?, 1, ?, ?, ?)`,
          [v.job, owner.userId, `song ${t}`, randomUUID(), randomUUID(), trackId, at, at],
        );
      }
      await em.execute(
        `insert into track_versions (id, track_id, number, parent_version_id, artifact_key, content_type, size_bytes, duration_seconds, source, job_id, metadata, created_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [v.id, trackId, v.number, v.parent, v.key, v.type, v.size, v.duration, v.source, v.job, JSON.stringify(v.metadata), v.at],
      );
    }
    const current = plan.current ? versions[plan.current - 1]!.id : null;
    if (current) await em.execute(`update tracks set current_version_id = ? where id = ?`, [current, trackId]);
    tracks.push({ id: trackId, current, versions });
  }
  return tracks;
}

const FIELDS = ['__typename', 'id', 'number', 'parentVersionId', 'source', 'contentType', 'sizeBytes', 'durationSeconds', 'metadata', 'createdAt', 'audioUrl', 'downloadUrl'] as const;
const ALL = FIELDS.join(' ');

type Json = Record<string, unknown>;
interface PageNode extends Json { id: string; versions: Json[]; currentVersion: Json | null; job: { id: string } | null }

/**
 * A signed link carries its expiry and signature, different on every request: kept as the file
 * it names (path, disposition, filename), after checking it is signed and not yet expired.
 */
function normalised(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalised);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalised(v)]));
  if (typeof value !== 'string' || !value.startsWith('http')) return value;
  const url = new URL(value);
  expect(url.searchParams.get('sig')).toMatch(/^[\w-]{20,}$/);
  expect(Number(url.searchParams.get('expires'))).toBeGreaterThan(Date.now() / 1000);
  return { file: url.pathname, disposition: url.searchParams.get('disposition'), filename: url.searchParams.get('filename') };
}

async function pageOf(selection: string, fragments = '', after: string | null = null): Promise<PageNode[]> {
  const query = `query Page($after: String) { viewer { tracks(first: 10, after: $after) { edges { node { id ${selection} } } } } } ${fragments}`;
  const data = dataOf(await gql<{ viewer: { tracks: { edges: Array<{ node: PageNode }> } } }>(api.url, query, { token: user.token, variables: { after } }));
  return normalised(data.viewer.tracks.edges.map((e) => e.node)) as PageNode[];
}

/** What a selection must answer: response key -> TrackVersion field, per list. */
interface Shape { versions?: { as?: string; fields: Record<string, string> }; current?: { as?: string; fields: Record<string, string> }; job?: boolean }
const named = (...fields: string[]) => Object.fromEntries(fields.map((f) => [f, f]));
const pick = (version: Json, fields: Record<string, string>) => Object.fromEntries(Object.entries(fields).map(([key, field]) => [key, version[field]]));

function projected(shape: Shape): Json[] {
  return reference.map((node) => {
    const out: Json = { id: node.id };
    if (shape.versions) out[shape.versions.as ?? 'versions'] = node.versions.map((v) => pick(v, shape.versions!.fields));
    if (shape.current) out[shape.current.as ?? 'currentVersion'] = node.currentVersion && pick(node.currentVersion, shape.current.fields);
    if (shape.job) out.job = node.job;
    return out;
  });
}

const CASES: Array<{ name: string; select: string; fragments?: string; shape: Shape }> = [
  ...FIELDS.map((f) => ({ name: `${f} alone`, select: `versions { ${f} } currentVersion { ${f} }`, shape: { versions: { fields: named(f) }, current: { fields: named(f) } } })),
  { name: 'a field only under currentVersion', select: 'currentVersion { sizeBytes }', shape: { current: { fields: named('sizeBytes') } } },
  { name: 'only job { id }', select: 'job { id }', shape: { job: true } },
  { name: 'versions and the job', select: 'versions { durationSeconds } job { id }', shape: { versions: { fields: named('durationSeconds') }, job: true } },
  {
    name: 'named fragments',
    select: '...Library currentVersion { ...Playable }',
    fragments: 'fragment Playable on TrackVersion { number audioUrl } fragment Library on Track { versions { ...Playable metadata } }',
    shape: { versions: { fields: named('number', 'audioUrl', 'metadata') }, current: { fields: named('number', 'audioUrl') } },
  },
  {
    name: 'inline fragments',
    select: '... on Track { versions { ... on TrackVersion { sizeBytes } ... on Node { id } } } currentVersion { ... { contentType } }',
    shape: { versions: { fields: named('sizeBytes', 'id') }, current: { fields: named('contentType') } },
  },
  {
    name: 'aliases',
    select: 'all: versions { n: number file: downloadUrl } now: currentVersion { kind: __typename from: parentVersionId }',
    shape: { versions: { as: 'all', fields: { n: 'number', file: 'downloadUrl' } }, current: { as: 'now', fields: { kind: '__typename', from: 'parentVersionId' } } },
  },
  {
    name: 'one list merged from two selections',
    select: 'versions { createdAt } ...Sources',
    fragments: 'fragment Sources on Track { versions { source id } }',
    shape: { versions: { fields: named('createdAt', 'source', 'id') } },
  },
];

describe('viewer.tracks with versions', () => {
  it('reads every version field as stored, newest version first', () => {
    expect(reference.map((n) => n.id)).toEqual(seeded.map((t) => gid('Track', t.id)));
    const stored = seeded.map((track) => {
      const versions = [...track.versions].reverse().map((v) => ({
        __typename: 'TrackVersion', id: gid('TrackVersion', v.id), number: v.number, parentVersionId: v.parent && gid('TrackVersion', v.parent),
        source: v.source, contentType: v.type, sizeBytes: v.size, durationSeconds: v.duration, metadata: v.metadata, createdAt: new Date(v.at).toISOString(),
        audioUrl: { file: `/files/${v.key}`, disposition: null, filename: null },
        downloadUrl: { file: `/files/${v.key}`, disposition: 'attachment', filename: `track-v${v.number}.${v.key.split('.').pop()}` },
      }));
      const current = versions.find((v) => v.id === (track.current && gid('TrackVersion', track.current))) ?? versions[0] ?? null;
      const firstJob = track.versions[0]?.job;
      return { id: gid('Track', track.id), versions, currentVersion: current, job: firstJob ? { id: gid('Job', firstJob) } : null };
    });
    expect(reference).toStrictEqual(stored);
  });

  it.each(CASES)('answers $name exactly as the full read does', async ({ select, fragments, shape }) => {
    expect(await pageOf(select, fragments)).toStrictEqual(projected(shape));
  });

  it('agrees with node(id:) on every version', async () => {
    const versions = reference.flatMap((n) => n.versions);
    expect(versions).toHaveLength(6);
    const query = `query { ${versions.map((v, i) => `v${i}: node(id: "${String(v.id)}") { ... on TrackVersion { ${ALL} } }`).join(' ')} }`;
    const data = normalised(dataOf(await gql<Json>(api.url, query, { token: user.token }))) as Json;
    expect(versions.map((_, i) => data[`v${i}`])).toStrictEqual(versions);
  });
});

describe('viewer.tracks paging', () => {
  const PAGE = (selection: string) => `query($after: String) { viewer { tracks(first: 2, after: $after) {
    pageInfo { hasNextPage endCursor } edges { cursor node { id ${selection} } } } } }`;
  interface Page { viewer: { tracks: { pageInfo: { hasNextPage: boolean; endCursor: string }; edges: Array<{ cursor: string; node: { id: string } }> } } }

  it.each([
    ['no versions', 'title'],
    ['versions', 'versions { number } currentVersion { id }'],
    ['only the job', 'job { id }'],
  ])('continues from the last edge of each page with %s selected', async (_, selection) => {
    const owner = await signInNewUser(api.url);
    const tracks = await seedLibrary(owner);
    const extra = await seedLibrary(owner);
    // Newest first; ties on createdAt (each library repeats the same dates) order by id, descending.
    const all = [...tracks, ...extra].map((t, i) => ({ id: t.id, day: i % 4 })).sort((a, b) => a.day - b.day || (a.id < b.id ? 1 : -1));
    const seen: string[] = [];
    let after: string | null = null;
    for (let pages = 0; pages < 10; pages += 1) {
      const page: Page['viewer']['tracks'] = dataOf(await gql<Page>(api.url, PAGE(selection), { token: owner.token, variables: { after } })).viewer.tracks;
      seen.push(...page.edges.map((e) => e.node.id));
      expect(page.pageInfo.endCursor).toBe(page.edges.at(-1)?.cursor);
      if (!page.pageInfo.hasNextPage) break;
      after = page.edges.at(-1)!.cursor;
    }
    expect(seen).toEqual(all.map((t) => gid('Track', t.id)));
  });
});
