import type { RequestOptions } from '../core/options.js';
import { PagePromise } from '../core/pagination.js';
import { CreateProjectDocument, DeleteProjectDocument, ProjectDocument, ProjectsDocument, UpdateProjectDocument, type CreateProjectInput, type ProjectFieldsFragment, type UpdateProjectInput } from '../generated/graphql.js';
import { APIResource, nodeOrNotFound, type PageParams } from './resource.js';

export type Project = ProjectFieldsFragment;

export interface UpdateProjectParams extends UpdateProjectInput {
  /** Refuse with ConflictError unless the project is still at this revision. */
  expectedRevision?: number;
}

/**
 * Projects: folders of your tracks, newest first. File a track with
 * `tracks.update(id, { projectId })` and list a project's with `tracks.list({ projectId })`.
 * Reading needs `tracks:read`; changing needs `tracks:write`.
 */
export class Projects extends APIResource {
  list(params: PageParams = {}, options?: RequestOptions): PagePromise<Project> {
    return new PagePromise(async (after) => (await this.client.request(ProjectsDocument, { first: params.pageSize, after }, options)).viewer.projects, params.after ?? null);
  }

  iterate(params: PageParams = {}, options?: RequestOptions): AsyncIterable<Project> {
    return this.list(params, options);
  }

  /** Throws NotFoundError when the project does not exist or is not yours. */
  async get(id: string, options?: RequestOptions): Promise<Project> {
    const { node } = await this.client.request(ProjectDocument, { id }, options);
    return nodeOrNotFound(node as Project | Record<PropertyKey, never> | null, 'Project');
  }

  async create(input: CreateProjectInput, options?: RequestOptions): Promise<Project> {
    return (await this.client.request(CreateProjectDocument, { input }, options)).createProject;
  }

  async update(id: string, { expectedRevision, ...input }: UpdateProjectParams, options?: RequestOptions): Promise<Project> {
    return (await this.client.request(UpdateProjectDocument, { id, input, expectedRevision }, options)).updateProject;
  }

  /** Deletes the project (its tracks stay in the library) and answers its id. */
  async delete(id: string, options?: RequestOptions): Promise<string> {
    return (await this.client.request(DeleteProjectDocument, { id }, options)).deleteProject;
  }
}
