import type { MusicVerse } from '../client.js';
import { NotFoundError } from '../core/error.js';

/** A group of operations of one domain, sharing the client's transport and socket. */
export abstract class APIResource {
  protected readonly client: MusicVerse;

  constructor(client: MusicVerse) {
    this.client = client;
  }
}

/**
 * `node(id)` answers null (or an object of another type) for ids that are missing or not the
 * caller's; the SDK turns that into the same NotFoundError the API uses elsewhere.
 */
export function nodeOrNotFound<T extends { id: string }>(node: T | Record<PropertyKey, never> | null, what: string): T {
  if (node && 'id' in node) return node as T;
  throw new NotFoundError(`${what} not found`, { code: 'NOT_FOUND' });
}

/** Page size and position of a list call. */
export interface PageParams {
  /** Items per page (the API's `first`); the API's default when left out. */
  pageSize?: number;
  /** Start after this cursor (a page's endCursor). */
  after?: string;
}
