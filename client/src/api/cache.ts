import { cacheExchange, type Cache } from '@urql/exchange-graphcache';
import { relayPagination } from '@urql/exchange-graphcache/extras';
import {
  CreditsDocument,
  TrackFieldsFragmentDoc,
  type CreateApiKeyMutation,
  type CreditsChangedSubscription,
  type JobFieldsFragment,
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
    TrackConnection: embedded,
    TrackEdge: embedded,
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
      deleteTrack: (result, _args, cache) => {
        const id = (result as { deleteTrack?: string }).deleteTrack;
        if (id) cache.invalidate({ __typename: 'Track', id });
        invalidateViewerField(cache, 'tracks');
      },
      createApiKey: (result, _args, cache) => {
        const created = (result as Partial<CreateApiKeyMutation>).createApiKey?.apiKey;
        const viewer = cache.resolve('Query', 'viewer');
        if (!created || typeof viewer !== 'string') return;
        const existing = cache.resolve(viewer, 'apiKeys');
        // Not loaded yet: the Developer screen will fetch the list with the new key in it.
        if (!Array.isArray(existing)) return;
        cache.link(viewer, 'apiKeys', [{ __typename: 'ApiKey', id: created.id }, ...(existing as string[])]);
      },
      // revokeApiKey answers the ApiKey with its id: normalisation updates it everywhere.
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
