import { once } from 'node:events';
import { EventEmitter } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dataOf, gql, type GraphQLResponse } from '../../support/graphql-client.js';
import { startGenerationStack, type GenerationStack } from '../../support/generation-stack.js';
import { webhookSweepSchedule } from '../../../workers/webhooks/webhooks.jobs.js';

/** A request the receiver got: the raw body as sent (signatures are over these bytes). */
export interface ReceivedWebhook {
  path: string;
  headers: IncomingHttpHeaders;
  rawBody: string;
  body: { id: string; type: string; createdAt: string; data: Record<string, unknown> };
}

export interface WebhookReceiver {
  /** `http://127.0.0.1:<port>` */
  url: string;
  received: ReceivedWebhook[];
  /** Answers requests to `path` with these statuses in turn, the last one repeating (default 200). */
  script: (path: string, statuses: number[]) => void;
  /** Resolves with the requests to `path` once there are `count` of them; fails after `timeoutMs`. */
  waitFor: (path: string, count: number, timeoutMs?: number) => Promise<ReceivedWebhook[]>;
  stop: () => Promise<void>;
}

/** A local HTTP receiver on 127.0.0.1 that records every delivery, like a developer's endpoint. */
export async function startReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const scripts = new Map<string, number[]>();
  const arrivals = new EventEmitter();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = req.url ?? '/';
      const rawBody = Buffer.concat(chunks).toString('utf8');
      received.push({ path, headers: req.headers, rawBody, body: JSON.parse(rawBody) as ReceivedWebhook['body'] });
      const statuses = scripts.get(path) ?? [200];
      const seen = received.filter((r) => r.path === path).length;
      res.writeHead(statuses[Math.min(seen - 1, statuses.length - 1)]!, { 'content-type': 'text/plain' });
      res.end('ok');
      arrivals.emit('request');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const to = (path: string) => received.filter((r) => r.path === path);
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    script: (path, statuses) => scripts.set(path, statuses),
    waitFor: (path, count, timeoutMs = 15_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (to(path).length < count) return;
          clearTimeout(timer);
          arrivals.off('request', check);
          resolve(to(path));
        };
        const timer = setTimeout(() => {
          arrivals.off('request', check);
          reject(new Error(`receiver: ${to(path).length} of ${count} requests to ${path} after ${timeoutMs} ms`));
        }, timeoutMs);
        arrivals.on('request', check);
        check();
      }),
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Fast retries, a receiver on 127.0.0.1 allowed, quick local generation, a frequent sweep. */
export function startWebhookStack(name: string, env: Record<string, string> = {}): Promise<GenerationStack> {
  return startGenerationStack(
    name,
    { WEBHOOK_ALLOWED_HOSTS: '127.0.0.1', WEBHOOK_RETRY_BASE_MS: '20', WEBHOOK_MAX_ATTEMPTS: '3', WEBHOOK_TIMEOUT_MS: '2000', PROVIDER_LOCAL_SPEED: '50', ...env },
    [webhookSweepSchedule(200)],
  );
}

export const WEBHOOK_FIELDS = 'id url description eventTypes enabled disabledReason consecutiveFailures';
export const DELIVERY_FIELDS = 'id webhookId eventId eventType status attempts lastResponseStatus lastError redeliveryOf attemptLog { number responseStatus error }';

export interface WebhookNode {
  id: string;
  url: string;
  description: string | null;
  eventTypes: string[];
  enabled: boolean;
  disabledReason: string | null;
  consecutiveFailures: number;
}

export interface DeliveryNode {
  id: string;
  webhookId: string;
  eventId: string;
  eventType: string;
  status: 'PENDING' | 'SUCCEEDED' | 'FAILED';
  attempts: number;
  lastResponseStatus: number | null;
  lastError: string | null;
  redeliveryOf: string | null;
  attemptLog: Array<{ number: number; responseStatus: number | null; error: string | null }>;
}

export function createWebhook(baseUrl: string, token: string, input: { url: string; description?: string; eventTypes?: string[] }): Promise<GraphQLResponse<{ createWebhook: { secret: string; webhook: WebhookNode } }>> {
  return gql(baseUrl, `mutation($input: CreateWebhookInput!) { createWebhook(input: $input) { secret webhook { ${WEBHOOK_FIELDS} } } }`, { token, variables: { input } });
}

export async function testWebhook(baseUrl: string, token: string, id: string): Promise<DeliveryNode> {
  return dataOf(await gql<{ testWebhook: DeliveryNode }>(baseUrl, `mutation($id: ID!) { testWebhook(id: $id) { ${DELIVERY_FIELDS} } }`, { token, variables: { id } })).testWebhook;
}

export async function deliveryNode(baseUrl: string, token: string, id: string): Promise<DeliveryNode> {
  return dataOf(await gql<{ node: DeliveryNode }>(baseUrl, `query($id: ID!) { node(id: $id) { ... on WebhookDelivery { ${DELIVERY_FIELDS} } } }`, { token, variables: { id } })).node;
}

export async function webhookNode(baseUrl: string, token: string, id: string): Promise<WebhookNode> {
  return dataOf(await gql<{ node: WebhookNode }>(baseUrl, `query($id: ID!) { node(id: $id) { ... on Webhook { ${WEBHOOK_FIELDS} } } }`, { token, variables: { id } })).node;
}

/** Polls `read` until `done` holds for its value, or fails after `timeoutMs` with the last value. */
export async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms; last value ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
