import { cacheExchange, type Cache } from '@urql/exchange-graphcache';
import { relayPagination } from '@urql/exchange-graphcache/extras';
import {
  CreditsDocument,
  TrackFieldsFragmentDoc,
  type CreateApiKeyMutation,
  type CreateWebhookMutation,
  type CreditsChangedSubscription,
  type JobFieldsFragment,
  type TestWebhookMutation,
  type UpdateTrackMutationVariables,
} from '../generated/graphql';

const embedded = () => null;

/** Drops every cached page of a Viewer field (any arguments), so screens showing it refetch. */
function invalidateViewerField(cache: Cache, fieldName: string): void {
  const viewer = cache.resolve('Query', 'viewer');
  if (typeof viewer !== 'string') return;
  for (const field of cache.inspectFields(viewer)) {
    if (field.fieldName === fieldName) cache.invalidate(viewer, fieldName, field.arguments ?? undefined);
  }
}

/** Puts a newly created object first in a Viewer list field, when that list is already cached. */
function prependToViewerList(cache: Cache, fieldName: string, entity: { __typename: string; id: string }): void {
  const viewer = cache.resolve('Query', 'viewer');
  if (typeof viewer !== 'string') return;
  const existing = cache.resolve(viewer, fieldName);
  // Not loaded yet: the screen will fetch the list with the new object in it.
  if (!Array.isArray(existing)) return;
  cache.link(viewer, fieldName, [entity, ...(existing as string[])]);
}

/** A finished job changes the library (a new track) and the balance (charged or released). */
function afterJobEvent(job: Pick<JobFieldsFragment, 'status'> | undefined, cache: Cache): void {
  if (!job || job.status === 'QUEUED' || job.status === 'RUNNING') return;
  if (job.status === 'SUCCEEDED') invalidateViewerField(cache, 'tracks');
  invalidateViewerField(cache, 'credits');
}

/**
 * The normalised cache. Objects with an `id` (Node) are shared by every screen, so a job update
 * from a subscription or a renamed track shows everywhere at once; types without an id are
 * stored inside their parent.
 */
export function createGraphcache() {
  return cacheExchange({
  keys: {
    Viewer: embedded,
    CreditAccount: embedded,
    PageInfo: embedded,
    JobProgressEvent: embedded,
    JobError: embedded,
    AuthPayload: embedded,
    CreateApiKeyPayload: embedded,
    CreateWebhookPayload: embedded,
    WebhookDeliveryConnection: embedded,
    WebhookDeliveryEdge: embedded,
    WebhookDeliveryAttempt: embedded,
    WebhookEventType: (type) => String(type.name),
    TrackConnection: embedded,
    TrackEdge: embedded,
    ProjectConnection: embedded,
    ProjectEdge: embedded,
    JobConnection: embedded,
    JobEdge: embedded,
    CreditTransactionConnection: embedded,
    CreditTransactionEdge: embedded,
    HoldConnection: embedded,
    HoldEdge: embedded,
    Price: (price) => String(price.model),
    ApiKeyScope: (scope) => String(scope.name),
  },
  resolvers: {
    // "Load more" asks for the next page; the screen sees one growing list.
    Viewer: { transactions: relayPagination() },
  },
  optimistic: {
    // A new title shows at once; if the server refuses it (CONFLICT), graphcache puts the old one back.
    updateTrack: (args: UpdateTrackMutationVariables, cache) => {
      const track = cache.readFragment(TrackFieldsFragmentDoc, { __typename: 'Track', id: args.id });
      if (!track) return null;
      return { ...track, __typename: 'Track', title: args.input.title ?? track.title, style: args.input.style ?? track.style };
    },
    // Revoking is not optimistic on purpose: "revoked" must mean the server has stopped the key.
  },
  updates: {
    Mutation: {
      generateTrack: (_result, _args, cache) => {
        invalidateViewerField(cache, 'jobs');
        invalidateViewerField(cache, 'credits');
      },
      cancelJob: (_result, _args, cache) => invalidateViewerField(cache, 'credits'),
      // Filing changes which tracks each project lists and counts.
      updateTrack: (_result, args, cache) => {
        if ((args as UpdateTrackMutationVariables).input.projectId !== undefined) invalidateViewerField(cache, 'projects');
      },
      createProject: (_result, _args, cache) => invalidateViewerField(cache, 'projects'),
      deleteTrack: (result, _args, cache) => {
        const id = (result as { deleteTrack?: string }).deleteTrack;
        if (id) cache.invalidate({ __typename: 'Track', id });
        invalidateViewerField(cache, 'tracks');
      },
      createApiKey: (result, _args, cache) => {
        const created = (result as Partial<CreateApiKeyMutation>).createApiKey?.apiKey;
        if (created) prependToViewerList(cache, 'apiKeys', { __typename: 'ApiKey', id: created.id });
      },
      createWebhook: (result, _args, cache) => {
        const created = (result as Partial<CreateWebhookMutation>).createWebhook?.webhook;
        if (created) prependToViewerList(cache, 'webhooks', { __typename: 'Webhook', id: created.id });
      },
      deleteWebhook: (result, _args, cache) => {
        const id = (result as { deleteWebhook?: string }).deleteWebhook;
        if (id) cache.invalidate({ __typename: 'Webhook', id });
        invalidateViewerField(cache, 'webhooks');
      },
      // A test delivery is a new first entry in its webhook's delivery list: ask for the list again.
      testWebhook: (result, _args, cache) => {
        const webhookId = (result as Partial<TestWebhookMutation>).testWebhook?.webhookId;
        if (!webhookId) return;
        const webhook = { __typename: 'Webhook', id: webhookId };
        for (const field of cache.inspectFields(webhook)) {
          if (field.fieldName === 'deliveries') cache.invalidate(webhook, 'deliveries', field.arguments ?? undefined);
        }
      },
      // revokeApiKey and updateWebhook answer the object with its id: normalisation updates it everywhere.
    },
    Subscription: {
      jobUpdated: (result, _args, cache) => afterJobEvent((result as { jobUpdated?: JobFieldsFragment }).jobUpdated, cache),
      jobProgress: (result, _args, cache) => afterJobEvent((result as { jobProgress?: { job: JobFieldsFragment } }).jobProgress?.job, cache),
      creditsChanged: (result, _args, cache) => {
        const credits = (result as Partial<CreditsChangedSubscription>).creditsChanged;
        if (!credits) return;
        cache.updateQuery({ query: CreditsDocument }, (data) => (data ? { ...data, viewer: { ...data.viewer, credits } } : null));
      },
    },
  },
});
}
