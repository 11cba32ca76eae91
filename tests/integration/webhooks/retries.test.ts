import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyWebhook } from '../../../sdk-js/src/core/webhooks.js';
import { dataOf, gql } from '../../support/graphql-client.js';
import type { GenerationStack } from '../../support/generation-stack.js';
import { signInNewUser } from '../../support/users.js';
import { createWebhook, DELIVERY_FIELDS, deliveryNode, startReceiver, startWebhookStack, testWebhook, until, webhookNode, type DeliveryNode, type WebhookNode } from './webhooks.harness.js';

// WEBHOOK_MAX_ATTEMPTS=3 and WEBHOOK_RETRY_BASE_MS=20 in this stack: a delivery is tried at most 3 times, 20 then 40 ms apart.
let stack: GenerationStack;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
beforeAll(async () => {
  receiver = await startReceiver();
  stack = await startWebhookStack('whretry');
});
afterAll(async () => {
  await stack.stop();
  await receiver.stop();
});

const ended = (d: DeliveryNode) => d.status !== 'PENDING';

describe('retries', () => {
  it('retries a 500 and ends SUCCEEDED with both attempts logged, under one webhook-id', async () => {
    const user = await signInNewUser(stack.api.url);
    const path = `/${user.userId}/flaky`;
    receiver.script(path, [500, 200]);
    const { webhook, secret } = dataOf(await createWebhook(stack.api.url, user.token, { url: `${receiver.url}${path}` })).createWebhook;
    const queued = await testWebhook(stack.api.url, user.token, webhook.id);
    expect(queued).toMatchObject({ status: 'PENDING', eventType: 'webhook.test', attempts: 0, webhookId: webhook.id });

    const requests = await receiver.waitFor(path, 2);
    expect(requests.map((r) => r.headers['webhook-id'])).toEqual([queued.id, queued.id]);
    for (const request of requests) expect(verifyWebhook(request.rawBody, request.headers, secret)).toMatchObject({ id: queued.eventId, type: 'webhook.test', data: { webhookId: webhook.id } });
    const delivery = await until(() => deliveryNode(stack.api.url, user.token, queued.id), ended);
    expect(delivery).toMatchObject({ status: 'SUCCEEDED', attempts: 2, lastResponseStatus: 200, lastError: null });
    expect(delivery.attemptLog).toEqual([
      { number: 1, responseStatus: 500, error: 'HTTP 500' },
      { number: 2, responseStatus: 200, error: null },
    ]);
  });

  it('ends FAILED after the last attempt and redelivers it as a new delivery of the same event', async () => {
    const user = await signInNewUser(stack.api.url);
    const path = `/${user.userId}/down`;
    receiver.script(path, [503, 503, 503, 204]);
    const { webhook, secret } = dataOf(await createWebhook(stack.api.url, user.token, { url: `${receiver.url}${path}` })).createWebhook;
    const queued = await testWebhook(stack.api.url, user.token, webhook.id);
    const failed = await until(() => deliveryNode(stack.api.url, user.token, queued.id), ended);
    expect(failed).toMatchObject({ status: 'FAILED', attempts: 3, lastResponseStatus: 503 });
    expect((await webhookNode(stack.api.url, user.token, webhook.id)).consecutiveFailures).toBe(1);

    const again = dataOf(await gql<{ redeliverWebhookDelivery: DeliveryNode }>(stack.api.url, `mutation($id: ID!) { redeliverWebhookDelivery(id: $id) { ${DELIVERY_FIELDS} } }`, { token: user.token, variables: { id: queued.id } })).redeliverWebhookDelivery;
    expect(again).toMatchObject({ status: 'PENDING', eventId: queued.eventId, redeliveryOf: queued.id });
    expect(again.id).not.toBe(queued.id);
    const [, , , fourth] = await receiver.waitFor(path, 4);
    expect(fourth!.headers['webhook-id']).toBe(again.id);
    expect(verifyWebhook(fourth!.rawBody, fourth!.headers, secret)).toMatchObject({ id: queued.eventId, type: 'webhook.test' });
    expect(await until(() => deliveryNode(stack.api.url, user.token, again.id), ended)).toMatchObject({ status: 'SUCCEEDED', attempts: 1, lastResponseStatus: 204 });
    expect((await webhookNode(stack.api.url, user.token, webhook.id)).consecutiveFailures).toBe(0);
  });

  it('answers NOT_FOUND when redelivering another user\'s delivery', async () => {
    const owner = await signInNewUser(stack.api.url);
    const stranger = await signInNewUser(stack.api.url);
    const { webhook } = dataOf(await createWebhook(stack.api.url, owner.token, { url: `${receiver.url}/${owner.userId}/x` })).createWebhook;
    const queued = await testWebhook(stack.api.url, owner.token, webhook.id);
    const response = await gql(stack.api.url, `mutation($id: ID!) { redeliverWebhookDelivery(id: $id) { id } }`, { token: stranger.token, variables: { id: queued.id } });
    expect(response.errors?.map((e) => e.extensions?.code)).toEqual(['NOT_FOUND']);
    expect(dataOf(await gql(stack.api.url, `query($id: ID!) { node(id: $id) { id } }`, { token: stranger.token, variables: { id: queued.id } }))).toEqual({ node: null });
  });
});

describe('disabling', () => {
  it('disables a webhook after 10 failed deliveries in a row and sends it no further events', async () => {
    const user = await signInNewUser(stack.api.url);
    const broken = `/${user.userId}/broken`;
    const healthy = `/${user.userId}/healthy`;
    receiver.script(broken, [500]);
    const { webhook } = dataOf(await createWebhook(stack.api.url, user.token, { url: `${receiver.url}${broken}` })).createWebhook;
    for (let n = 1; n <= 10; n += 1) {
      const queued = await testWebhook(stack.api.url, user.token, webhook.id);
      await until(() => deliveryNode(stack.api.url, user.token, queued.id), ended);
    }
    const disabled = await webhookNode(stack.api.url, user.token, webhook.id);
    expect(disabled).toMatchObject({ enabled: false, consecutiveFailures: 10 });
    expect(disabled.disabledReason).toContain('10 deliveries in a row failed');
    expect(receiver.received.filter((r) => r.path === broken)).toHaveLength(30);

    // An event for this user now reaches the healthy webhook only.
    dataOf(await createWebhook(stack.api.url, user.token, { url: `${receiver.url}${healthy}` }));
    await stack.api.infra.orm.em.fork().execute(`insert into outbox (id, topic, user_id, payload) values (gen_random_uuid(), 'webhook.event', ?, ?::jsonb)`, [user.userId, JSON.stringify({ type: 'track.deleted', data: { trackId: 'x' } })]);
    const [event] = await receiver.waitFor(healthy, 1);
    expect(event!.body.type).toBe('track.deleted');
    const rows = await stack.api.infra.orm.em.fork().execute<Array<{ count: string }>>(`select count(*) from webhook_deliveries where event_id = ?`, [event!.body.id]);
    expect(Number(rows[0]!.count)).toBe(1);
    expect(receiver.received.filter((r) => r.path === broken)).toHaveLength(30);

    const enabled = dataOf(await gql<{ updateWebhook: WebhookNode }>(stack.api.url, `mutation($id: ID!) { updateWebhook(id: $id, input: { enabled: true }) { enabled consecutiveFailures disabledReason } }`, { token: user.token, variables: { id: webhook.id } })).updateWebhook;
    expect(enabled).toEqual({ enabled: true, consecutiveFailures: 0, disabledReason: null });
  });
});

describe('recovery', () => {
  it('sends a PENDING delivery that no queue job knows about (the sweep finds it)', async () => {
    const user = await signInNewUser(stack.api.url);
    const path = `/${user.userId}/swept`;
    const { webhook } = dataOf(await createWebhook(stack.api.url, user.token, { url: `${receiver.url}${path}` })).createWebhook;
    const endpointId = Buffer.from(webhook.id, 'base64url').toString('utf8').split(':')[1];
    // As if Redis lost the job: only the row says the delivery is due.
    await stack.api.infra.orm.em.fork().execute(
      `insert into webhook_deliveries (id, endpoint_id, event_id, event_type, event_created_at, payload, status, attempts, next_attempt_at, attempt_log, created_at, updated_at)
       values (gen_random_uuid(), ?, gen_random_uuid(), 'track.updated', now(), '{"trackId":"t"}', 'PENDING', 0, now(), '[]', now(), now())`,
      [endpointId],
    );
    const [request] = await receiver.waitFor(path, 1);
    expect(request!.body).toMatchObject({ type: 'track.updated', data: { trackId: 't' } });
  });
});
