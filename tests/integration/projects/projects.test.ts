import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiServer } from '../../../server/app.js';
import { startTestApi } from '../../support/api.js';
import { codesOf, dataOf, gql } from '../../support/graphql-client.js';
import { createApiKey } from '../../support/sessions.js';
import { countQueries } from '../../support/sql-count.js';
import { signInNewUser, type SignedInUser } from '../../support/users.js';

/** Projects: folders of a user's tracks, over GraphQL. */
let api: ApiServer;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  await api.stop();
});

interface ProjectShape {
  id: string;
  name: string;
  description: string | null;
  revision: number;
  trackCount: number;
}

const FIELDS = 'id name description revision trackCount';

/** Writes `count` tracks with one version each, oldest first; answers their global ids, newest first. */
async function seedTracks(user: SignedInUser, count: number): Promise<string[]> {
  const em = api.infra.orm.em.fork();
  const ids: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const trackId = randomUUID();
    const at = new Date(Date.now() - (count - i) * 1000);
    await em.execute(`insert into tracks (id, user_id, title, prompt, revision, created_at, updated_at) values (?, ?, ?, ?, 1, ?, ?)`, [trackId, user.userId, `Track ${i}`, `song ${i}`, at, at]);
    await em.execute(
      `insert into track_versions (id, track_id, number, artifact_key, content_type, size_bytes, duration_seconds, source, metadata, created_at) values (?, ?, 1, ?, 'audio/wav', 1000, 30, 'generation', '{}', ?)`,
      [randomUUID(), trackId, `tracks/${trackId}/1.wav`, at],
    );
    ids.push(Buffer.from(`Track:${trackId}`).toString('base64url'));
  }
  return ids.reverse();
}

async function createProject(user: SignedInUser, name: string, description?: string): Promise<ProjectShape> {
  return dataOf(await gql<{ createProject: ProjectShape }>(api.url, `mutation($input: CreateProjectInput!) { createProject(input: $input) { ${FIELDS} } }`, { token: user.token, variables: { input: { name, description } } })).createProject;
}

function fileTrack(user: SignedInUser, trackId: string, projectId: string | null) {
  return gql<{ updateTrack: { id: string; revision: number; project: { id: string; name: string } | null } }>(
    api.url,
    `mutation($id: ID!, $input: UpdateTrackInput!) { updateTrack(id: $id, input: $input) { id revision project { id name } } }`,
    { token: user.token, variables: { id: trackId, input: { projectId } } },
  );
}

async function tracksOf(user: SignedInUser, projectId: string | null): Promise<Array<{ id: string; project: { name: string } | null }>> {
  const page = await gql<{ viewer: { tracks: { edges: Array<{ node: { id: string; project: { name: string } | null } }> } } }>(
    api.url,
    `query($projectId: ID) { viewer { tracks(first: 50, projectId: $projectId) { edges { node { id project { name } } } } } }`,
    { token: user.token, variables: { projectId } },
  );
  return dataOf(page).viewer.tracks.edges.map((e) => e.node);
}

describe('projects', () => {
  it('are created, listed newest first, read by id and renamed with revisions', async () => {
    const user = await signInNewUser(api.url);
    const first = await createProject(user, '  Summer EP  ', 'Four songs');
    const second = await createProject(user, 'Client work');
    expect(first).toMatchObject({ name: 'Summer EP', description: 'Four songs', revision: 1, trackCount: 0 });

    const list = dataOf(await gql<{ viewer: { projects: { totalCount: number; edges: Array<{ node: ProjectShape }> } } }>(api.url, `{ viewer { projects(first: 10) { totalCount edges { node { ${FIELDS} } } } } }`, { token: user.token })).viewer.projects;
    expect(list.totalCount).toBe(2);
    expect(list.edges.map((e) => e.node.id)).toEqual([second.id, first.id]);
    const byId = dataOf(await gql<{ node: ProjectShape }>(api.url, `query($id: ID!) { node(id: $id) { ... on Project { ${FIELDS} } } }`, { token: user.token, variables: { id: first.id } })).node;
    expect(byId).toEqual(first);

    const UPDATE = `mutation($id: ID!, $input: UpdateProjectInput!, $rev: Int) { updateProject(id: $id, input: $input, expectedRevision: $rev) { ${FIELDS} } }`;
    const renamed = dataOf(await gql<{ updateProject: ProjectShape }>(api.url, UPDATE, { token: user.token, variables: { id: first.id, input: { name: 'Summer LP', description: null }, rev: 1 } })).updateProject;
    expect(renamed).toMatchObject({ name: 'Summer LP', description: null, revision: 2 });
    const stale = await gql(api.url, UPDATE, { token: user.token, variables: { id: first.id, input: { name: 'Lost edit' }, rev: 1 } });
    expect(codesOf(stale)).toEqual(['CONFLICT']);

    for (const name of ['   ', 'x'.repeat(101)]) {
      const refused = await gql(api.url, `mutation($input: CreateProjectInput!) { createProject(input: $input) { id } }`, { token: user.token, variables: { input: { name } } });
      expect(codesOf(refused)).toEqual(['BAD_USER_INPUT']);
      expect(refused.errors?.[0]?.extensions?.field).toBe('name');
    }
  });

  it('file tracks: listed by project with their versions, counted, moved and taken out', async () => {
    const user = await signInNewUser(api.url);
    const [t1, t2, t3] = await seedTracks(user, 3);
    const album = await createProject(user, 'Album');
    const demos = await createProject(user, 'Demos');
    const filed = dataOf(await fileTrack(user, t1!, album.id)).updateTrack;
    expect(filed).toMatchObject({ id: t1, revision: 2, project: { id: album.id, name: 'Album' } });
    dataOf(await fileTrack(user, t2!, album.id));
    dataOf(await fileTrack(user, t3!, demos.id));

    expect((await tracksOf(user, album.id)).map((t) => t.id)).toEqual([t1, t2]);
    expect((await tracksOf(user, null)).map((t) => [t.id, t.project?.name])).toEqual([[t1, 'Album'], [t2, 'Album'], [t3, 'Demos']]);
    const project = dataOf(await gql<{ node: { trackCount: number; tracks: { totalCount: number; edges: Array<{ node: { id: string; versions: Array<{ number: number }> } }> } } }>(
      api.url,
      `query($id: ID!) { node(id: $id) { ... on Project { trackCount tracks(first: 10) { totalCount edges { node { id versions { number } } } } } } }`,
      { token: user.token, variables: { id: album.id } },
    )).node;
    expect(project.trackCount).toBe(2);
    expect(project.tracks.totalCount).toBe(2);
    expect(project.tracks.edges.map((e) => [e.node.id, e.node.versions.map((v) => v.number)])).toEqual([[t1, [1]], [t2, [1]]]);

    // Moved to another project, then out of any.
    dataOf(await fileTrack(user, t2!, demos.id));
    expect((await tracksOf(user, demos.id)).map((t) => t.id)).toEqual([t2, t3]);
    expect(dataOf(await fileTrack(user, t3!, null)).updateTrack.project).toBeNull();
    expect((await tracksOf(user, demos.id)).map((t) => t.id)).toEqual([t2]);
    // A change that leaves projectId out keeps the project.
    const renamed = await gql<{ updateTrack: { project: { name: string } | null } }>(api.url, `mutation($id: ID!) { updateTrack(id: $id, input: { title: "Renamed" }) { project { name } } }`, { token: user.token, variables: { id: t2 } });
    expect(dataOf(renamed).updateTrack.project).toEqual({ name: 'Demos' });
  });

  it('when deleted leave their tracks in the library, in no project', async () => {
    const user = await signInNewUser(api.url);
    const [track] = await seedTracks(user, 1);
    const project = await createProject(user, 'Short-lived');
    dataOf(await fileTrack(user, track!, project.id));
    const deleted = dataOf(await gql<{ deleteProject: string }>(api.url, `mutation($id: ID!) { deleteProject(id: $id) }`, { token: user.token, variables: { id: project.id } }));
    expect(deleted.deleteProject).toBe(project.id);
    expect(await tracksOf(user, null)).toEqual([{ id: track, project: null }]);
    const again = await gql(api.url, `mutation($id: ID!) { deleteProject(id: $id) }`, { token: user.token, variables: { id: project.id } });
    expect(codesOf(again)).toEqual(['NOT_FOUND']);
  });

  it("are their owner's alone: another user's project cannot be read, changed, deleted or filed into", async () => {
    const owner = await signInNewUser(api.url);
    const other = await signInNewUser(api.url);
    const project = await createProject(owner, 'Private');
    const [ownersTrack] = await seedTracks(owner, 1);
    dataOf(await fileTrack(owner, ownersTrack!, project.id));
    const [othersTrack] = await seedTracks(other, 1);

    const read = await gql<{ node: unknown }>(api.url, `query($id: ID!) { node(id: $id) { ... on Project { name } } }`, { token: other.token, variables: { id: project.id } });
    expect(dataOf(read).node).toBeNull();
    expect(codesOf(await gql(api.url, `mutation($id: ID!) { updateProject(id: $id, input: { name: "Mine now" }) { id } }`, { token: other.token, variables: { id: project.id } }))).toEqual(['NOT_FOUND']);
    expect(codesOf(await gql(api.url, `mutation($id: ID!) { deleteProject(id: $id) }`, { token: other.token, variables: { id: project.id } }))).toEqual(['NOT_FOUND']);
    expect(codesOf(await fileTrack(other, othersTrack!, project.id))).toEqual(['NOT_FOUND']);
    const listed = await gql(api.url, `query($p: ID) { viewer { tracks(projectId: $p) { edges { node { id } } } } }`, { token: other.token, variables: { p: project.id } });
    expect(codesOf(listed)).toEqual(['NOT_FOUND']);
    // A track id where a project id belongs is not a project.
    expect(codesOf(await fileTrack(owner, ownersTrack!, ownersTrack!))).toEqual(['NOT_FOUND']);
    expect((await tracksOf(owner, project.id)).map((t) => t.id)).toEqual([ownersTrack]);
  });

  it('need tracks:write to change and tracks:read to list', async () => {
    const user = await signInNewUser(api.url);
    const reader = await createApiKey(api.url, user.token, ['tracks:read']);
    const refused = await gql(api.url, `mutation { createProject(input: { name: "Nope" }) { id } }`, { apiKey: reader.key });
    expect(codesOf(refused)).toEqual(['FORBIDDEN']);
    const writer = await createApiKey(api.url, user.token, ['tracks:write']);
    expect(codesOf(await gql(api.url, `{ viewer { projects { totalCount } } }`, { apiKey: writer.key }))).toEqual(['FORBIDDEN']);
  });

  it('a page of 50 tracks with their projects and counts costs two more statements, whatever their number', async () => {
    const user = await signInNewUser(api.url);
    const tracks = await seedTracks(user, 50);
    for (let i = 0; i < 10; i += 1) {
      const project = await createProject(user, `P${i}`);
      for (const track of tracks.slice(i * 5, i * 5 + 5)) dataOf(await fileTrack(user, track, project.id));
    }
    const page = (withProject: boolean) => `{ viewer { tracks(first: 50) { edges { node { id versions { number } ${withProject ? 'project { name trackCount }' : ''} } } } } }`;
    const without = await countQueries(() => gql(api.url, page(false), { token: user.token }));
    const withProjects = await countQueries(() => gql<{ viewer: { tracks: { edges: Array<{ node: { project: { trackCount: number } } }> } } }>(api.url, page(true), { token: user.token }));
    expect(dataOf(withProjects.result).viewer.tracks.edges.every((e) => e.node.project.trackCount === 5)).toBe(true);
    expect(withProjects.queries - without.queries).toBe(2);
  });
});
