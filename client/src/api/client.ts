import { createClient as createSocketClient, type Client as SocketClient } from 'graphql-ws';
import { Client, fetchExchange, subscriptionExchange } from 'urql';
import { sessions } from '../auth/session';
import { createGraphcache } from './cache';
import { GRAPHQL_URL, GRAPHQL_WS_URL } from './endpoint';

function withToken(init: RequestInit | undefined, token: string | null): RequestInit {
  const headers = new Headers(init?.headers);
  if (token) headers.set('Authorization', `Bearer ${token}`);
  return { ...init, headers };
}

async function saysUnauthenticated(response: Response): Promise<boolean> {
  try {
    const body = (await response.clone().json()) as { errors?: { extensions?: { code?: string } }[] };
    return body.errors?.some((e) => e.extensions?.code === 'UNAUTHENTICATED') === true;
  } catch {
    return false;
  }
}

/** Sends the access token; when the server refuses it anyway, refreshes once and retries. */
async function authorisedFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const response = await fetch(input, withToken(init, await sessions.accessToken()));
  if (!(await saysUnauthenticated(response))) return response;
  const renewed = await sessions.refresh();
  return renewed ? fetch(input, withToken(init, renewed.accessToken)) : response;
}

/** 0.5 s doubling to 10 s, with jitter so many phones do not reconnect in step. */
function backoff(retries: number): Promise<void> {
  const ms = Math.min(500 * 2 ** retries, 10_000) * (0.75 + Math.random() * 0.5);
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * One socket for all subscriptions, opened on the first one. A dropped socket (phone asleep,
 * network switch, server restart) reconnects forever with backoff and resubscribes, without
 * telling the user; each connect sends a fresh access token.
 */
function createSocket(): SocketClient {
  return createSocketClient({
    url: GRAPHQL_WS_URL,
    lazy: true,
    retryAttempts: Infinity,
    shouldRetry: () => true,
    retryWait: backoff,
    keepAlive: 15_000,
    connectionParams: async () => {
      const token = await sessions.accessToken();
      return token ? { Authorization: `Bearer ${token}` } : {};
    },
  });
}

export interface ApiClients {
  client: Client;
  socket: SocketClient;
}

/** A client per signed-in session: signing out throws the cache and the socket away. */
export function createApiClients(): ApiClients {
  const socket = createSocket();
  const client = new Client({
    url: GRAPHQL_URL,
    // Apollo's CSRF protection refuses GET queries without a preflight header; POST is simplest.
    preferGetMethod: false,
    fetch: authorisedFetch,
    exchanges: [
      createGraphcache(),
      fetchExchange,
      subscriptionExchange({
        forwardSubscription: (request) => ({
          subscribe: (sink) => ({ unsubscribe: socket.subscribe({ ...request, query: request.query ?? '' }, sink) }),
        }),
      }),
    ],
  });
  return { client, socket };
}
