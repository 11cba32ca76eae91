import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { DEFAULT_BASE_URL, DEFAULT_MAX_RECONNECTS, DEFAULT_TIMEOUT_MS, type ClientOptions, type Fetch, type RequestOptions } from './core/options.js';
import { DEFAULT_MAX_RETRIES } from './core/retry.js';
import { Subscriptions, type SubscribeOptions } from './core/subscriptions.js';
import { prepareOperation } from './internal/operation.js';
import { sendOperation, type TransportConfig } from './internal/transport.js';
import { ApiKeys } from './resources/api-keys.js';
import { Auth } from './resources/auth.js';
import { Credits } from './resources/credits.js';
import { Generation } from './resources/generation.js';
import { Jobs } from './resources/jobs.js';
import { Projects } from './resources/projects.js';
import { Tracks } from './resources/tracks.js';
import { ViewerResource } from './resources/viewer.js';
import { Webhooks } from './resources/webhooks.js';

/**
 * Who the client acts as: an API key (scripts, servers; sent as X-API-Key) or a session's access
 * token (sent as Authorization: Bearer). No credentials is allowed for signing in (`auth`).
 */
export type Credentials = { apiKey: string; accessToken?: undefined } | { accessToken: string; apiKey?: undefined } | { apiKey?: undefined; accessToken?: undefined };

/** Operation variables, then request options; variables may be left out when none are required. */
export type OperationArgs<TVariables> = Record<never, never> extends TVariables ? [variables?: TVariables, options?: RequestOptions] : [variables: TVariables, options?: RequestOptions];

const SDK_VERSION = '0.1.0';

/**
 * The MusicVerse API client. Resources group the operations by domain; `request` sends any
 * typed document; `close()` ends subscriptions and closes their socket.
 */
export class MusicVerse {
  readonly tracks = new Tracks(this);
  readonly projects = new Projects(this);
  readonly jobs = new Jobs(this);
  readonly generation = new Generation(this);
  readonly credits = new Credits(this);
  readonly apiKeys = new ApiKeys(this);
  readonly auth = new Auth(this);
  readonly viewer = new ViewerResource(this);
  readonly webhooks = new Webhooks(this);
  /** The GraphQL endpoint, `<baseUrl>/graphql`. */
  readonly endpoint: string;

  readonly #transport: TransportConfig;
  readonly #subscriptions: Subscriptions;

  constructor(credentials: Credentials = {}, options: ClientOptions = {}) {
    const base = (options.baseUrl ?? baseUrlFromEnv() ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
    this.endpoint = base.endsWith('/graphql') ? base : `${base}/graphql`;
    const auth = authHeaders(credentials);
    this.#transport = {
      endpoint: this.endpoint,
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json',
        'user-agent': `musicverse-sdk-js/${SDK_VERSION}`,
        ...options.headers,
        ...auth,
      },
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      maxRetries: options.maxRetries ?? DEFAULT_MAX_RETRIES,
      fetch: options.fetch ?? defaultFetch(),
    };
    this.#subscriptions = new Subscriptions({
      url: this.endpoint.replace(/^http/, 'ws'),
      connectionParams: auth,
      webSocketImpl: options.webSocketImpl,
      maxReconnects: options.maxReconnects ?? DEFAULT_MAX_RECONNECTS,
    });
  }

  /** Sends a query or mutation and answers its data; failures throw a MusicVerseError subclass. */
  async request<TData, TVariables extends Record<string, unknown>>(document: TypedDocumentNode<TData, TVariables>, ...[variables, options]: OperationArgs<TVariables>): Promise<TData> {
    const operation = prepareOperation(document);
    if (operation.type === 'subscription') throw new TypeError('Use subscribe() for subscriptions');
    return (await sendOperation(this.#transport, operation, variables, options)) as TData;
  }

  /** Runs a subscription; iterate the result with `for await`, `break` to unsubscribe. */
  subscribe<TData, TVariables extends Record<string, unknown>>(document: TypedDocumentNode<TData, TVariables>, variables?: TVariables, options?: SubscribeOptions): AsyncGenerator<TData> {
    return this.#subscriptions.subscribe(document, variables, options);
  }

  /** Ends every subscription and closes the WebSocket. HTTP requests need no closing. */
  close(): Promise<void> {
    return this.#subscriptions.close();
  }
}

function authHeaders(credentials: Credentials): Record<string, string> {
  if (credentials.apiKey) return { 'X-API-Key': credentials.apiKey };
  if (credentials.accessToken) return { Authorization: `Bearer ${credentials.accessToken}` };
  return {};
}

/** MUSICVERSE_BASE_URL, where there is a process environment (Node). */
function baseUrlFromEnv(): string | undefined {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return env?.MUSICVERSE_BASE_URL || undefined;
}

function defaultFetch(): Fetch {
  const global = (globalThis as { fetch?: Fetch }).fetch;
  if (!global) throw new TypeError('No global fetch: pass options.fetch');
  return (url, init) => global(url, init);
}
