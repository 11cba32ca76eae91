import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import type { FormattedExecutionResult } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import { prepareOperation } from '../internal/operation.js';
import { APIConnectionError, APIUserAbortError, MusicVerseError, UnauthenticatedError, type GraphQLErrorLike } from './error.js';
import type { WebSocketConstructor } from './options.js';
import { retryDelayMs } from './retry.js';

/**
 * GraphQL subscriptions over one WebSocket (graphql-transport-ws, the API's /graphql path) as
 * async iterators. The socket opens with the first subscription and closes after the last.
 * When it drops, graphql-ws reconnects with the same backoff as HTTP retries and subscribes
 * again; the API's subscriptions start with the current state (jobProgress) or are plain
 * change feeds, so a resubscribe loses nothing a caller waits for.
 */
export interface SubscriptionsConfig {
  /** ws:// or wss:// URL of the GraphQL endpoint. */
  url: string;
  /** Sent in connection_init, read by the API like HTTP headers. */
  connectionParams: Record<string, string>;
  webSocketImpl?: WebSocketConstructor;
  /** Reconnects in a row before active subscriptions fail with APIConnectionError. */
  maxReconnects: number;
}

export interface SubscribeOptions {
  /** Ends the subscription; the iterator then throws APIUserAbortError. */
  signal?: AbortSignal;
}

/** 4403: the API refused or revoked the credentials; reconnecting cannot help. */
const CLOSE_FORBIDDEN = 4403;

export class Subscriptions {
  readonly #config: SubscriptionsConfig;
  #client: Promise<Client> | undefined;
  #closed = false;

  constructor(config: SubscriptionsConfig) {
    this.#config = config;
  }

  /** Yields each result's data until the server completes the subscription. */
  async *subscribe<TData, TVariables extends Record<string, unknown>>(document: TypedDocumentNode<TData, TVariables>, variables?: TVariables, options: SubscribeOptions = {}): AsyncGenerator<TData> {
    if (this.#closed) throw new APIConnectionError('The client was closed');
    const { signal } = options;
    if (signal?.aborted) throw new APIUserAbortError(undefined, { cause: signal.reason });
    const { query, operationName } = prepareOperation(document);
    const client = await this.#connect();
    const results = client.iterate<TData>({ query, operationName, variables });
    // Unsubscribing completes the iterator, which ends the loop below.
    const onAbort = () => void results.return?.();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      for await (const result of results) yield dataOf(result);
    } catch (error) {
      throw subscriptionError(error);
    } finally {
      signal?.removeEventListener('abort', onAbort);
      await results.return?.();
    }
    if (signal?.aborted) throw new APIUserAbortError(undefined, { cause: signal.reason });
  }

  /** Ends every subscription and closes the socket. */
  async close(): Promise<void> {
    this.#closed = true;
    const client = this.#client;
    this.#client = undefined;
    if (client) await (await client).dispose();
  }

  #connect(): Promise<Client> {
    this.#client ??= this.#createClient();
    return this.#client;
  }

  async #createClient(): Promise<Client> {
    const { url, connectionParams, maxReconnects } = this.#config;
    const webSocketImpl = this.#config.webSocketImpl ?? (await defaultWebSocket());
    return createClient({
      url,
      webSocketImpl,
      connectionParams,
      retryAttempts: maxReconnects,
      retryWait: (retries) => new Promise((resolve) => setTimeout(resolve, retryDelayMs(retries))),
      // Any close or socket error is worth a reconnect, except refused credentials.
      shouldRetry: (event) => !(isCloseEvent(event) && event.code === CLOSE_FORBIDDEN),
    });
  }
}

/** The global WebSocket (browsers, Node 22+), else the `ws` package, loaded only when needed. */
async function defaultWebSocket(): Promise<WebSocketConstructor> {
  const global = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (global) return global;
  const ws = await import('ws');
  return ws.default as unknown as WebSocketConstructor;
}

function dataOf<TData>(result: FormattedExecutionResult<TData, unknown>): TData {
  const first = result.errors?.[0];
  if (first) throw MusicVerseError.fromGraphQLError(first);
  if (result.data === undefined || result.data === null) throw new APIConnectionError('A subscription result carried no data');
  return result.data;
}

interface CloseEventLike {
  code: number;
  reason: string;
}

function isCloseEvent(value: unknown): value is CloseEventLike {
  return typeof value === 'object' && value !== null && 'code' in value && 'reason' in value && typeof value.code === 'number';
}

/** graphql-ws fails a subscription with GraphQL errors, a close event or an Error. */
function subscriptionError(error: unknown): MusicVerseError {
  if (error instanceof MusicVerseError) return error;
  if (Array.isArray(error) && error.length > 0) return MusicVerseError.fromGraphQLError(error[0] as GraphQLErrorLike);
  if (isCloseEvent(error)) {
    const message = `The subscription socket closed (${error.code}${error.reason ? `: ${error.reason}` : ''})`;
    if (error.code === CLOSE_FORBIDDEN) return new UnauthenticatedError(message, { code: 'UNAUTHENTICATED', extensions: { closeCode: error.code } });
    return new APIConnectionError(message, { extensions: { closeCode: error.code }, cause: error });
  }
  return new APIConnectionError(`Subscription failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
}
