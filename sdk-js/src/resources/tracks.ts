import type { RequestOptions } from '../core/options.js';
import { PagePromise } from '../core/pagination.js';
import { DeleteTrackDocument, TrackDocument, TracksDocument, UpdateTrackDocument, type TrackFieldsFragment, type TrackQuery, type UpdateTrackInput } from '../generated/graphql.js';
import { APIResource, nodeOrNotFound, type PageParams } from './resource.js';

export type Track = TrackFieldsFragment;
/** A track with all its versions and the job that made it. */
export type TrackDetails = Extract<NonNullable<TrackQuery['node']>, { id: string }>;

export interface ListTracksParams extends PageParams {
  /** Only the tracks filed in this project. */
  projectId?: string;
}

export interface UpdateTrackParams extends UpdateTrackInput {
  /** Refuse with ConflictError unless the track is still at this revision. */
  expectedRevision?: number;
}

/** Your tracks, newest first. Reading needs `tracks:read`; changing needs `tracks:write`. */
export class Tracks extends APIResource {
  /** One page; await it for a Page, or `for await` it for every track. */
  list(params: ListTracksParams = {}, options?: RequestOptions): PagePromise<Track> {
    const { pageSize, projectId } = params;
    return new PagePromise(async (after) => (await this.client.request(TracksDocument, { first: pageSize, after, projectId }, options)).viewer.tracks, params.after ?? null);
  }

  /** Every track, fetching pages of `pageSize` as the loop goes. */
  iterate(params: ListTracksParams = {}, options?: RequestOptions): AsyncIterable<Track> {
    return this.list(params, options);
  }

  /** Throws NotFoundError when the track does not exist or is not yours. */
  async get(id: string, options?: RequestOptions): Promise<TrackDetails> {
    const { node } = await this.client.request(TrackDocument, { id }, options);
    return nodeOrNotFound(node as TrackDetails | Record<PropertyKey, never> | null, 'Track');
  }

  async update(id: string, { expectedRevision, ...input }: UpdateTrackParams, options?: RequestOptions): Promise<Track> {
    return (await this.client.request(UpdateTrackDocument, { id, input, expectedRevision }, options)).updateTrack;
  }

  /** Deletes the track and answers its id. */
  async delete(id: string, options?: RequestOptions): Promise<string> {
    return (await this.client.request(DeleteTrackDocument, { id }, options)).deleteTrack;
  }
}
