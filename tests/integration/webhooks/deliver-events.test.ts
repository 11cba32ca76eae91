import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { verifyWebhook, WebhookVerificationError } from '../../../sdk-js/src/core/webhooks.js';
import { createLogger } from '../../../server/infra/logger.js';
import { createQueue } from '../../../server/infra/queues/queue.factory.js';
import { dataOf, gql } from '../../support/graphql-client.js';
import { watchJob, type GenerationStack } from '../../support/generation-stack.js';
import { signInNewUser } from '../../support/users.js';
import { createWebhook, startReceiver, startWebhookStack, until, type WebhookReceiver } from './webhooks.harness.js';

let stack: GenerationStack;
let receiver: WebhookReceiver;
beforeAll(async () => {
  receiver = await startReceiver();
  stack = await startWebhookStack('whdeliver');
});
afterAll(async () => {
  await stack.stop();
  await receiver.stop();
});

const GENERATE = `mutation($input: GenerateTrackInput!) { generateTrack(input: $input) { id } }`;
const DELIVERIES = `query($id: ID!) { node(id: $id) { ... on Webhook { deliveries(first: 10) { totalCount edges { node { id eventId eventType status attempts } } } } } }`;

interface Deliveries {
  totalCount: number;
  edges: Array<{ node: { id: string; eventId: string; eventType: string; status: string; attempts: number } }>;
}

async function deliveriesOf(token: string, webhookId: string): Promise<Deliveries> {
  return dataOf(await gql<{ node: { deliveries: Deliveries } }>(stack.api.url, DELIVERIES, { token, variables: { id: webhookId } })).node.deliveries;
}

describe('delivering events', () => {
  it('sends generation.completed, signed so that the SDK verifies it with the secret, to subscribed webhooks only', async () => {
    const user = await signInNewUser(stack.api.url);
    const path = (name: string) => `/${user.userId}/${name}`;
    const all = dataOf(await createWebhook(stack.api.url, user.token, { url: `${receiver.url}${path('all')}` })).createWebhook;
    const completedOnly = dataOf(await createWebhook(stack.api.url, user.token, { url: `${receiver.url}${path('completed')}`, eventTypes: ['generation.completed'] })).createWebhook;
    const failedOnly = dataOf(await createWebhook(stack.api.url, user.token, { url: `${receiver.url}${path('failed')}`, eventTypes: ['generation.failed'] })).createWebhook;

    const { generateTrack: job } = dataOf(await gql<{ generateTrack: { id: string } }>(stack.api.url, GENERATE, {
      token: user.token,
      variables: { input: { prompt: 'a bright morning song', durationSeconds: 5, idempotencyKey: randomUUID() } },
    }));
    const events = await watchJob(stack.socket(user.token), job.id);
    expect(events.at(-1)?.status).toBe('SUCCEEDED');

    const [received] = await receiver.waitFor(path('all'), 1);
    const payload = verifyWebhook<{ id: string; type: string; data: { jobId: string; trackId: string; cost: number } }>(received!.rawBody, received!.headers, all.secret);
    expect(payload).toMatchObject({ type: 'generation.completed', data: { jobId: job.id } });
    expect(payload.data.trackId).toEqual(expect.any(String));
    expect(received!.headers['x-webhook-signature']).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(() => verifyWebhook(received!.rawBody, received!.headers, completedOnly.secret)).toThrow(WebhookVerificationError);

    const [toCompleted] = await receiver.waitFor(path('completed'), 1);
    expect(verifyWebhook(toCompleted!.rawBody, toCompleted!.headers, completedOnly.secret)).toMatchObject({ id: payload.id, type: 'generation.completed' });

    const delivered = await until(() => deliveriesOf(user.token, all.webhook.id), (d) => d.edges[0]?.node.status === 'SUCCEEDED');
    expect(delivered.edges.map((e) => e.node)).toEqual([expect.objectContaining({ eventId: payload.id, eventType: 'generation.completed', attempts: 1 })]);
    // The webhook-id is the delivery's id, which node(id) finds.
    expect(received!.headers['webhook-id']).toBe(delivered.edges[0]!.node.id);
    // Fan-out writes every subscribed endpoint's row in one statement: none was written for this one.
    expect((await deliveriesOf(user.token, failedOnly.webhook.id)).totalCount).toBe(0);
    expect(receiver.received.filter((r) => r.path === path('failed'))).toEqual([]);
  });

  it('delivers an event relayed twice only once per webhook', async () => {
    const user = await signInNewUser(stack.api.url);
    const path = `/${user.userId}/once`;
    const { webhook } = dataOf(await createWebhook(stack.api.url, user.token, { url: `${receiver.url}${path}` })).createWebhook;
    const envelope = { id: randomUUID(), topic: 'webhook.event', userId: user.userId, payload: { type: 'track.deleted', data: { trackId: 'VHJhY2s6eA' } }, createdAt: new Date().toISOString() };
    const queue = createQueue({ redisUrl: inject('redisUrl'), redisPrefix: stack.env.REDIS_PREFIX! }, 'webhooks', createLogger('silent', 'test'));
    try {
      // Two jobs for one event, as a relay that crashed after publishing would produce once the first was removed.
      await queue.add('webhook.event', envelope, { jobId: `first-${envelope.id}` });
      await receiver.waitFor(path, 1);
      const replay = await queue.add('webhook.event', envelope, { jobId: `replay-${envelope.id}` });
      await until(() => replay.getState(), (state) => state === 'completed');
    } finally {
      await queue.close();
    }
    const deliveries = await deliveriesOf(user.token, webhook.id);
    expect(deliveries.totalCount).toBe(1);
    expect(receiver.received.filter((r) => r.path === path)).toHaveLength(1);
  });
});
