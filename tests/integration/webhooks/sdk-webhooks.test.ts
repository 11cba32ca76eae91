import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MusicVerse, NotFoundError, verifyWebhook } from '../../../sdk-js/src/index.js';
import type { GenerationStack } from '../../support/generation-stack.js';
import { signInNewUser } from '../../support/users.js';
import { startReceiver, startWebhookStack, until, type WebhookReceiver } from './webhooks.harness.js';

let stack: GenerationStack;
let receiver: WebhookReceiver;
beforeAll(async () => {
  receiver = await startReceiver();
  stack = await startWebhookStack('whsdk');
});
afterAll(async () => {
  await stack.stop();
  await receiver.stop();
});

describe('client.webhooks', () => {
  it('creates a webhook, receives a test delivery that verifyWebhook accepts, and manages it', async () => {
    const user = await signInNewUser(stack.api.url);
    const client = new MusicVerse({ accessToken: user.token }, { baseUrl: stack.api.url });
    const path = `/${user.userId}/sdk`;
    const created = await client.webhooks.create({ url: `${receiver.url}${path}`, description: 'sdk', eventTypes: ['generation.completed'] });
    expect((await client.webhooks.list()).map((w) => w.id)).toEqual([created.webhook.id]);
    expect(JSON.stringify(await client.webhooks.list())).not.toContain(created.secret);

    const delivery = await client.webhooks.test(created.webhook.id);
    const [request] = await receiver.waitFor(path, 1);
    expect(verifyWebhook(request!.rawBody, request!.headers, created.secret)).toMatchObject({ id: delivery.eventId, type: 'webhook.test' });
    expect((await until(() => client.webhooks.delivery(delivery.id), (d) => d.status !== 'PENDING')).status).toBe('SUCCEEDED');

    const redelivered = await client.webhooks.redeliver(delivery.id);
    await receiver.waitFor(path, 2);
    const seen: string[] = [];
    for await (const d of client.webhooks.deliveries(created.webhook.id, { pageSize: 1 })) seen.push(d.id);
    expect(seen).toEqual([redelivered.id, delivery.id]);

    const rotated = await client.webhooks.rotateSecret(created.webhook.id);
    await client.webhooks.test(created.webhook.id);
    const [, , third] = await receiver.waitFor(path, 3);
    expect(() => verifyWebhook(third!.rawBody, third!.headers, created.secret)).toThrow();
    expect(verifyWebhook(third!.rawBody, third!.headers, rotated.secret)).toMatchObject({ type: 'webhook.test' });

    expect(await client.webhooks.update(created.webhook.id, { eventTypes: [] })).toMatchObject({ eventTypes: [] });
    expect((await client.webhooks.eventTypes()).map((t) => t.name)).toContain('track.updated');
    expect(await client.webhooks.delete(created.webhook.id)).toBe(created.webhook.id);
    await expect(client.webhooks.get(created.webhook.id)).rejects.toBeInstanceOf(NotFoundError);
  });
});
