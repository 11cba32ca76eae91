import type { RequestOptions } from '../core/options.js';
import type { GenerateTrackInput } from '../generated/graphql.js';
import { GenerateTrackDocument } from '../generated/graphql.js';
import { newIdempotencyKey } from '../internal/operation.js';
import type { Job } from './jobs.js';
import { APIResource } from './resource.js';

/** generateTrack's input; the idempotency key is made for you when you leave it out. */
export type GenerateParams = Omit<GenerateTrackInput, 'idempotencyKey'> & { idempotencyKey?: string };

/** Starting generation (`generate:write`; spends credits). */
export class Generation extends APIResource {
  /**
   * Prices the request, holds the credits and queues a job; follow it with `jobs.watch(job.id)`.
   * One idempotency key per call, reused by every retry, so a retry never charges twice. Pass
   * your own to make retries of your own (e.g. after a crash) safe as well.
   */
  async generate(params: GenerateParams, options?: RequestOptions): Promise<Job> {
    const input: GenerateTrackInput = { ...params, idempotencyKey: params.idempotencyKey ?? newIdempotencyKey() };
    return (await this.client.request(GenerateTrackDocument, { input }, options)).generateTrack;
  }
}
