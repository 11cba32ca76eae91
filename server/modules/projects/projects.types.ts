import { Field, InputType, Int, ObjectType } from 'type-graphql';
import { localIdOf, toGlobalId } from '../../core/global-id.js';
import { Connection } from '../../graphql/connection.js';
import { Node } from '../../graphql/node.type.js';
import type { Project } from './project.entity.js';
import { ProjectNotFoundError } from './projects.errors.js';

@ObjectType('Project', { implements: Node, description: 'A folder of your tracks (an album, a client\'s work). A track is in one project or none.' })
export class ProjectType extends Node {
  readonly __typename = 'Project';
  projectId!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String, { nullable: true })
  description!: string | null;

  @Field(() => Int, { description: 'Pass it to updateProject(expectedRevision:) to refuse overwriting a newer edit.' })
  revision!: number;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date)
  updatedAt!: Date;
}

export const ProjectConnection = Connection(ProjectType, 'Project');

@InputType('CreateProjectInput')
export class CreateProjectInput {
  @Field(() => String, { description: '1 to 100 characters.' })
  name!: string;

  @Field(() => String, { nullable: true, description: 'At most 1000 characters.' })
  description?: string | null;
}

@InputType('UpdateProjectInput', { description: 'Fields left out stay as they are; description: null clears it.' })
export class UpdateProjectInput {
  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => String, { nullable: true })
  description?: string | null;
}

export function toProjectType(project: Project): ProjectType {
  const type = new ProjectType();
  type.id = toGlobalId('Project', project.id);
  type.projectId = project.id;
  type.name = project.name;
  type.description = project.description ?? null;
  type.revision = project.revision;
  type.createdAt = project.createdAt;
  type.updatedAt = project.updatedAt;
  return type;
}

/** The local id of a Project's global id; NOT_FOUND for an id of another type. */
export function projectIdOf(id: string, field = 'id'): string {
  const local = localIdOf(id, 'Project', field);
  if (!local) throw new ProjectNotFoundError();
  return local;
}
