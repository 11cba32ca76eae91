import type { EntityManager } from '@mikro-orm/postgresql';
import { BadUserInputError, StaleRevisionError } from '../../core/errors.js';
import type { Clock } from '../../core/clock.js';
import { User } from '../users/user.entity.js';
import { Project } from './project.entity.js';
import { ProjectNotFoundError } from './projects.errors.js';

const MAX_NAME_LENGTH = 100;
const MAX_DESCRIPTION_LENGTH = 1000;

export interface ProjectChange {
  name?: string | null;
  description?: string | null;
}

/** Where a project sits in a newest-first page. */
export interface ProjectPosition {
  createdAt: Date;
  id: string;
}

function nameOf(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length < 1 || trimmed.length > MAX_NAME_LENGTH) throw new BadUserInputError(`name must be 1 to ${MAX_NAME_LENGTH} characters`, 'name');
  return trimmed;
}

/** Blank is no description. */
function descriptionOf(description: string | null | undefined): string | null {
  const trimmed = description?.trim() ?? '';
  if (trimmed.length > MAX_DESCRIPTION_LENGTH) throw new BadUserInputError(`description must be at most ${MAX_DESCRIPTION_LENGTH} characters`, 'description');
  return trimmed || null;
}

/** Projects: folders a user files tracks in. Which tracks are in one is the tracks' business. */
export class ProjectsService {
  constructor(private readonly clock: Clock) {}

  async create(em: EntityManager, userId: string, input: { name: string; description?: string | null }): Promise<Project> {
    const now = this.clock.now();
    const project = em.create(Project, {
      user: em.getReference(User, userId),
      name: nameOf(input.name),
      description: descriptionOf(input.description),
      revision: 1,
      createdAt: now,
      updatedAt: now,
    });
    await em.flush();
    return project;
  }

  async findOwned(em: EntityManager, userId: string, projectId: string): Promise<Project> {
    const project = await em.findOne(Project, { id: projectId, user: userId });
    if (!project) throw new ProjectNotFoundError();
    return project;
  }

  /** Applies an edit; with `expectedRevision`, refuses it when the project moved on (CONFLICT). */
  async update(em: EntityManager, userId: string, projectId: string, change: ProjectChange, expectedRevision?: number | null): Promise<Project> {
    const name = change.name === undefined || change.name === null ? undefined : nameOf(change.name);
    const description = change.description === undefined ? undefined : descriptionOf(change.description);
    return em.transactional(async (tx) => {
      const project = await this.findOwned(tx, userId, projectId);
      // The revision check and bump are one conditional UPDATE, so two editors cannot both win.
      const updated = await tx.nativeUpdate(
        Project,
        { id: projectId, ...(expectedRevision !== undefined && expectedRevision !== null ? { revision: expectedRevision } : {}) },
        { ...(name !== undefined ? { name } : {}), ...(description !== undefined ? { description } : {}), revision: project.revision + 1, updatedAt: this.clock.now() },
      );
      if (updated === 0) throw new StaleRevisionError('Project', expectedRevision ?? project.revision, project.revision);
      await tx.refresh(project);
      return project;
    });
  }

  /** Deletes the project; its tracks stay in the library, in no project (the foreign key sets null). */
  async delete(em: EntityManager, userId: string, projectId: string): Promise<void> {
    const deleted = await em.nativeDelete(Project, { id: projectId, user: userId });
    if (deleted === 0) throw new ProjectNotFoundError();
  }

  /** A newest-first page of the user's projects. */
  async page(em: EntityManager, userId: string, after: ProjectPosition | null, limit: number): Promise<Project[]> {
    const where = after ? { user: userId, $or: [{ createdAt: { $lt: after.createdAt } }, { createdAt: after.createdAt, id: { $lt: after.id } }] } : { user: userId };
    return em.find(Project, where, { orderBy: { createdAt: 'desc', id: 'desc' }, limit });
  }

  async count(em: EntityManager, userId: string): Promise<number> {
    return em.count(Project, { user: userId });
  }
}
