import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyWebhook } from '../../../sdk-js/src/core/webhooks.js';
import { dataOf, gql } from '../../support/graphql-client.js';
import type { GenerationStack } from '../../support/generation-stack.js';
import { signInNewUser } from '../../support/users.js';
import { createWebhook, startReceiver, startWebhookStack, type WebhookReceiver } from './webhooks.harness.js';

let stack: GenerationStack;
let receiver: WebhookReceiver;
beforeAll(async () => {
  receiver = await startReceiver();
  stack = await startWebhookStack('whlow');
});
afterAll(async () => {
  await stack.stop();
  await receiver.stop();
});

const PLACE_HOLD = `mutation($input: PlaceHoldInput!) { placeHold(input: $input) { id } }`;
const RELEASE_HOLD = `mutation($id: ID!) { releaseHold(id: $id) { id } }`;

interface LowCredits {
  id: string;
  type: string;
  data: { available: number; held: number; threshold: number };
}

describe('credits.low', () => {
  // A free account starts the day with 50 credits; the cheapest model (mv-lite) costs 10.
  it('is sent once each time available falls below the price of the cheapest generation', async () => {
    const user = await signInNewUser(stack.api.url);
    const path = `/${user.userId}/low`;
    const { secret } = dataOf(await createWebhook(stack.api.url, user.token, { url: `${receiver.url}${path}`, eventTypes: ['credits.low'] })).createWebhook;
    const hold = async (amount: number) =>
      dataOf(await gql<{ placeHold: { id: string } }>(stack.api.url, PLACE_HOLD, { token: user.token, variables: { input: { amount, reason: 'test', idempotencyKey: randomUUID() } } })).placeHold.id;

    const first = await hold(35); // 15 left: still above the mark
    const second = await hold(8); // 7 left: crosses it
    const [crossed] = await receiver.waitFor(path, 1);
    expect(verifyWebhook<LowCredits>(crossed!.rawBody, crossed!.headers, secret)).toMatchObject({ type: 'credits.low', data: { available: 7, held: 43, threshold: 10 } });

    await hold(5); // 2 left: already below, no second event
    for (const id of [first, second]) dataOf(await gql(stack.api.url, RELEASE_HOLD, { token: user.token, variables: { id } }));
    await hold(45); // from 45 back above the mark to 0: a new crossing
    const [, again] = await receiver.waitFor(path, 2);
    expect(verifyWebhook<LowCredits>(again!.rawBody, again!.headers, secret)).toMatchObject({ type: 'credits.low', data: { available: 0, held: 50, threshold: 10 } });
    expect(receiver.received.filter((r) => r.path === path)).toHaveLength(2);
  });

  it('is not recorded for a user without an endpoint that takes it', async () => {
    const user = await signInNewUser(stack.api.url);
    await createWebhook(stack.api.url, user.token, { url: `${receiver.url}/${user.userId}/other`, eventTypes: ['track.deleted'] });
    await gql(stack.api.url, PLACE_HOLD, { token: user.token, variables: { input: { amount: 45, reason: 'test', idempotencyKey: randomUUID() } } });
    const events = await stack.api.infra.orm.em.fork().execute<{ n: string }[]>(
      `select count(*) as n from outbox where user_id = ? and topic = 'webhook.event' and payload->>'type' = 'credits.low'`,
      [user.userId],
    );
    expect(Number(events[0]!.n)).toBe(0);
  });
});
