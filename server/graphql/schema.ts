import 'reflect-metadata';
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { buildSchema, type PubSub } from 'type-graphql';
import { ApiKeysResolver } from '../modules/api-keys/api-keys.resolver.js';
import { AuthResolver } from '../modules/auth/auth.resolver.js';
import { AdminResolver } from '../modules/admin/admin.resolver.js';
import { JobProgressEventResolver, JobsResolver, ViewerJobsResolver } from '../modules/jobs/jobs.resolver.js';
import { TrackVersionsResolver, TracksResolver, ViewerTracksResolver } from '../modules/tracks/tracks.resolver.js';
import { ProjectsResolver, ViewerProjectsResolver } from '../modules/projects/projects.resolver.js';
import { CreditsResolver, CreditsSubscriptionResolver, ViewerCreditsResolver } from '../modules/credits/credits.resolver.js';
import { ViewerResolver } from '../modules/viewer/viewer.resolver.js';
import { ViewerWebhooksResolver, WebhooksResolver } from '../modules/webhooks/webhooks.resolver.js';
import { RateLimitsResolver } from '../modules/rate-limits/rate-limits.resolver.js';
import { authChecker } from './auth-checker.js';
import { NodeResolver } from './node.resolver.js';

/** Every resolver of the API; a module adds its own here. */
const RESOLVERS = [NodeResolver, ViewerResolver, AuthResolver, ApiKeysResolver, CreditsResolver, CreditsSubscriptionResolver, ViewerCreditsResolver, AdminResolver, JobsResolver, JobProgressEventResolver, ViewerJobsResolver, TracksResolver, TrackVersionsResolver, ViewerTracksResolver, ProjectsResolver, ViewerProjectsResolver, WebhooksResolver, ViewerWebhooksResolver, RateLimitsResolver] as const;

/**
 * Subscriptions stream outbox events (EventSubscriber) through each field's own `subscribe`;
 * type-graphql's topic-based PubSub is never used, but buildSchema insists on one.
 */
const NO_TOPIC_PUBSUB: PubSub = {
  publish: () => {
    throw new Error('publish through the outbox (recordEvent), not type-graphql topics');
  },
  subscribe: () => {
    throw new Error('subscriptions use their own subscribe function');
  },
};

export async function createSchema(): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers: [...RESOLVERS],
    authChecker,
    authMode: 'error',
    validate: false,
    pubSub: NO_TOPIC_PUBSUB,
  });
}

/** The committed contract: sorted so that the file changes only when the schema does. */
export function printContract(schema: GraphQLSchema): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
