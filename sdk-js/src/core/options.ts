/** Options of the client and of each request, with their defaults. */

/** The part of a fetch Response the SDK reads. */
export interface FetchResponse {
  status: number;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
}

/** The part of fetch the SDK calls; the global fetch fits, so do undici's and node-fetch's. */
export type Fetch = (url: string, init: { method: string; headers: Record<string, string>; body: string; signal: AbortSignal }) => Promise<FetchResponse>;

/** A WebSocket constructor (the global one, `ws`'s default export, ...). */
export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => unknown;

export interface ClientOptions {
  /** Where the API runs; requests go to `<baseUrl>/graphql`. Default: env MUSICVERSE_BASE_URL, else http://localhost:4000. */
  baseUrl?: string;
  /** Per attempt, in milliseconds, including reading the answer. Default 60 000. */
  timeoutMs?: number;
  /** Retries after the first attempt (see core/retry.ts for which failures). Default 2. */
  maxRetries?: number;
  /** Default: the global fetch. */
  fetch?: Fetch;
  /** Default: the global WebSocket when there is one, else the `ws` package, loaded on first use. */
  webSocketImpl?: WebSocketConstructor;
  /** Reconnects of the subscription socket in a row before the subscriptions fail. Default 10. */
  maxReconnects?: number;
  /** Extra headers sent with every HTTP request. */
  headers?: Record<string, string>;
}

/** Accepted by every method as its last argument. */
export interface RequestOptions {
  /** Overrides the client's timeoutMs for this request. */
  timeoutMs?: number;
  /** Aborts the request (and any retry wait) with APIUserAbortError. */
  signal?: AbortSignal;
  /** Overrides the client's maxRetries for this request. */
  maxRetries?: number;
  /** Extra headers for this request. */
  headers?: Record<string, string>;
}

export const DEFAULT_BASE_URL = 'http://localhost:4000';
export const DEFAULT_TIMEOUT_MS = 60_000;
export const DEFAULT_MAX_RECONNECTS = 10;
