import type { RequestOptions } from '../core/options.js';
import { PagePromise } from '../core/pagination.js';
import type { SubscribeOptions } from '../core/subscriptions.js';
import {
  CommitHoldDocument,
  CreditsChangedDocument,
  CreditsDocument,
  HoldsDocument,
  PlaceHoldDocument,
  PriceCatalogDocument,
  ReleaseHoldDocument,
  TransactionsDocument,
  type CreditsQuery,
  type CreditTransactionFieldsFragment,
  type CreditTransactionType,
  type HoldFieldsFragment,
  type HoldStatus,
  type PlaceHoldInput,
  type PriceCatalogQuery,
} from '../generated/graphql.js';
import { newIdempotencyKey } from '../internal/operation.js';
import { APIResource, type PageParams } from './resource.js';

export type CreditBalance = CreditsQuery['viewer']['credits'];
export type Hold = HoldFieldsFragment;
export type CreditTransaction = CreditTransactionFieldsFragment;
export type Price = PriceCatalogQuery['priceCatalog'][number];

export interface ListHoldsParams extends PageParams {
  status?: HoldStatus;
}

export interface ListTransactionsParams extends PageParams {
  type?: CreditTransactionType;
  /** ISO date-time, inclusive. */
  since?: string;
  /** ISO date-time, exclusive. */
  until?: string;
}

/** placeHold's input; the idempotency key is made for you when you leave it out. */
export type PlaceHoldParams = Omit<PlaceHoldInput, 'idempotencyKey'> & { idempotencyKey?: string };

/**
 * The credit balance and two-phase holds: place a hold, then commit (spend) or release it once.
 * Reading needs `credits:read`; holds need `credits:hold`.
 */
export class Credits extends APIResource {
  async balance(options?: RequestOptions): Promise<CreditBalance> {
    return (await this.client.request(CreditsDocument, {}, options)).viewer.credits;
  }

  holds(params: ListHoldsParams = {}, options?: RequestOptions): PagePromise<Hold> {
    const { pageSize, status } = params;
    return new PagePromise(async (after) => (await this.client.request(HoldsDocument, { first: pageSize, after, status }, options)).viewer.holds, params.after ?? null);
  }

  /** The journal, newest first: `for await (const t of client.credits.transactions())`. */
  transactions(params: ListTransactionsParams = {}, options?: RequestOptions): PagePromise<CreditTransaction> {
    const { pageSize, type, since, until } = params;
    return new PagePromise(
      async (after) => (await this.client.request(TransactionsDocument, { first: pageSize, after, type, since, until }, options)).viewer.transactions,
      params.after ?? null,
    );
  }

  /** Reserves credits; one idempotency key per call, reused by its retries. */
  async placeHold(params: PlaceHoldParams, options?: RequestOptions): Promise<Hold> {
    const input: PlaceHoldInput = { ...params, idempotencyKey: params.idempotencyKey ?? newIdempotencyKey() };
    return (await this.client.request(PlaceHoldDocument, { input }, options)).placeHold;
  }

  /** Spends `amount` (default: all) of a pending hold and returns the rest; ConflictError once resolved. */
  async commitHold(id: string, amount?: number, options?: RequestOptions): Promise<Hold> {
    return (await this.client.request(CommitHoldDocument, { id, amount }, options)).commitHold;
  }

  /** Returns a pending hold's credits; ConflictError once resolved. */
  async releaseHold(id: string, options?: RequestOptions): Promise<Hold> {
    return (await this.client.request(ReleaseHoldDocument, { id }, options)).releaseHold;
  }

  async priceCatalog(options?: RequestOptions): Promise<Price[]> {
    return (await this.client.request(PriceCatalogDocument, {}, options)).priceCatalog;
  }

  /** The balance after every change, until you break out of the loop. */
  async *changes(options?: SubscribeOptions): AsyncGenerator<CreditBalance> {
    for await (const { creditsChanged } of this.client.subscribe(CreditsChangedDocument, {}, options)) yield creditsChanged;
  }
}
