import type { EntityManager } from '@mikro-orm/postgresql';
import { runStatement } from '../../infra/database/sql-statement.js';
import { BadUserInputError, StaleRevisionError } from '../../core/errors.js';
import type { Clock } from '../../core/clock.js';
import { recordEvent } from '../../infra/outbox/outbox.js';
import { Topic } from '../../infra/outbox/outbox.topics.js';
import { TRACKS_PAGE, tracksPageWithVersions, type PartialVersionView, type VersionField } from './library-page.sql.js';
import type { ProjectsService } from '../projects/projects.service.js';
import { Track } from './track.entity.js';
import { TrackNotFoundError } from './tracks.errors.js';

export interface TrackChange {
  title?: string | null;
  style?: string | null;
  /** Files the track in this project (the user's own); null takes it out of its project. */
  projectId?: string | null;
}

/** Where a track sits in a newest-first library page. */
export interface TrackPosition {
  createdAt: Date;
  id: string;
}

/** A track as read for display: the entity's fields without ORM bookkeeping. */
export type TrackView = Pick<Track, 'id' | 'title' | 'style' | 'prompt' | 'revision' | 'currentVersionId' | 'projectId' | 'createdAt' | 'updatedAt'>;

/** Which tracks a page lists: a user's library, or one of their projects. */
export interface TrackShelf {
  userId: string;
  projectId?: string | null;
}

interface TrackRow {
  id: string;
  title: string;
  style: string | null;
  prompt: string;
  revision: number;
  current_version_id: string | null;
  project_id: string | null;
  created_at: Date;
  updated_at: Date;
}

/** A track with its versions, newest first, read in the same statement. */
export type TrackWithVersions = TrackView & { versions: PartialVersionView[] };

function toTrackView(row: TrackRow): TrackView {
  return {
    id: row.id,
    title: row.title,
    style: row.style,
    prompt: row.prompt,
    revision: row.revision,
    currentVersionId: row.current_version_id,
    projectId: row.project_id,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

function pageParams(shelf: TrackShelf, after: TrackPosition | null, limit: number): Record<string, unknown> {
  return { userId: shelf.userId, projectId: shelf.projectId ?? null, afterAt: after?.createdAt ?? null, afterId: after?.id ?? null, limit };
}

/** The library: tracks, their versions, edits and soft deletes. */
export class TracksService {
  constructor(
    private readonly clock: Clock,
    private readonly projects: ProjectsService,
  ) {}

  /** A generated track and its first version, in the caller's transaction. */
  /**
   * Writes a generated track and its first version in one statement, inside the worker's
   * transaction that also charges the job (see workers/generation/generation.run.ts).
   */
  async findOwned(em: EntityManager, userId: string, trackId: string): Promise<Track> {
    const track = await em.findOne(Track, { id: trackId, user: userId, deletedAt: null });
    if (!track) throw new TrackNotFoundError();
    return track;
  }

  /** A newest-first page of the library: plain rows (read-only and hot), one statement. */
  async page(em: EntityManager, shelf: TrackShelf, after: TrackPosition | null, limit: number): Promise<TrackView[]> {
    const rows = await runStatement<TrackRow>(em, TRACKS_PAGE, pageParams(shelf, after, limit));
    return rows.map(toTrackView);
  }

  /**
   * Like page(), with each track's versions in the same statement (no batch per level), holding
   * their id and `versionFields` only.
   */
  async pageWithVersions(
    em: EntityManager,
    shelf: TrackShelf,
    after: TrackPosition | null,
    limit: number,
    versionFields: ReadonlySet<VersionField>,
  ): Promise<TrackWithVersions[]> {
    const statement = tracksPageWithVersions(versionFields);
    const rows = await runStatement<TrackRow & { versions: PartialVersionView[] }>(em, statement, pageParams(shelf, after, limit));
    const datedVersions = versionFields.has('createdAt');
    // Versions arrive as JSON, already named like the view: only their dates need converting, in place.
    return rows.map((row) => {
      if (datedVersions) for (const version of row.versions) version.createdAt = new Date(version.createdAt as unknown as string);
      return Object.assign(toTrackView(row), { versions: row.versions });
    });
  }

  async count(em: EntityManager, shelf: TrackShelf): Promise<number> {
    return em.count(Track, { user: shelf.userId, deletedAt: null, ...(shelf.projectId ? { project: shelf.projectId } : {}) });
  }

  /** Applies an edit; with `expectedRevision`, refuses it when the track moved on (CONFLICT). */
  async update(em: EntityManager, userId: string, trackId: string, change: TrackChange, expectedRevision?: number | null): Promise<Track> {
    const title = change.title === undefined || change.title === null ? undefined : change.title.trim();
    if (title !== undefined && (title.length < 1 || title.length > 200)) throw new BadUserInputError('title must be 1 to 200 characters', 'title');
    const style = change.style === undefined ? undefined : change.style?.trim() || null;
    if (style && style.length > 200) throw new BadUserInputError('style must be at most 200 characters', 'style');
    return em.transactional(async (tx) => {
      const track = await this.findOwned(tx, userId, trackId);
      // Only into a project of the same user; another user's answers as one that does not exist.
      if (change.projectId) await this.projects.findOwned(tx, userId, change.projectId);
      const project = change.projectId === undefined ? {} : { project: change.projectId };
      const now = this.clock.now();
      // The revision check and bump are one conditional UPDATE, so two editors cannot both win.
      const updated = await tx.nativeUpdate(
        Track,
        { id: trackId, deletedAt: null, ...(expectedRevision !== undefined && expectedRevision !== null ? { revision: expectedRevision } : {}) },
        { ...(title !== undefined ? { title } : {}), ...(style !== undefined ? { style } : {}), ...project, revision: track.revision + 1, updatedAt: now },
      );
      if (updated === 0) throw new StaleRevisionError('Track', expectedRevision ?? track.revision, track.revision);
      await tx.refresh(track);
      recordEvent(tx, { topic: Topic.WebhookEvent, userId, payload: { type: 'track.updated', data: { trackId, revision: track.revision } } });
      await tx.flush();
      return track;
    });
  }

  /** Soft delete: gone from the library at once; audio files stay until the cleanup job. */
  async delete(em: EntityManager, userId: string, trackId: string): Promise<void> {
    await em.transactional(async (tx) => {
      const track = await this.findOwned(tx, userId, trackId);
      track.deletedAt = this.clock.now();
      track.revision += 1;
      recordEvent(tx, { topic: Topic.WebhookEvent, userId, payload: { type: 'track.deleted', data: { trackId } } });
      await tx.flush();
    });
  }
}
