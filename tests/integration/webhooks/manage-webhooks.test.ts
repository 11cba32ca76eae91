import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codesOf, dataOf, gql } from '../../support/graphql-client.js';
import type { GenerationStack } from '../../support/generation-stack.js';
import { createApiKey } from '../../support/sessions.js';
import { signInNewUser } from '../../support/users.js';
import { createWebhook, startWebhookStack, WEBHOOK_FIELDS, webhookNode, type WebhookNode } from './webhooks.harness.js';

let stack: GenerationStack;
beforeAll(async () => {
  stack = await startWebhookStack('whmanage');
});
afterAll(async () => {
  await stack.stop();
});

const LIST = `{ viewer { webhooks { ${WEBHOOK_FIELDS} } } }`;
const UPDATE = `mutation($id: ID!, $input: UpdateWebhookInput!) { updateWebhook(id: $id, input: $input) { ${WEBHOOK_FIELDS} } }`;

async function storedSecretColumn(id: string): Promise<string> {
  const localId = Buffer.from(id, 'base64url').toString('utf8').split(':')[1];
  const rows = await stack.api.infra.orm.em.fork().execute<Array<{ secret_ciphertext: string }>>('select secret_ciphertext from webhook_endpoints where id = ?', [localId]);
  return rows[0]!.secret_ciphertext;
}

describe('createWebhook', () => {
  it('answers the secret once; listings never show it and the database holds only ciphertext', async () => {
    const user = await signInNewUser(stack.api.url);
    const created = dataOf(await createWebhook(stack.api.url, user.token, { url: 'http://127.0.0.1:9/hooks', description: 'laptop', eventTypes: ['track.updated', 'generation.completed'] })).createWebhook;
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(created.webhook).toMatchObject({ url: 'http://127.0.0.1:9/hooks', description: 'laptop', eventTypes: ['generation.completed', 'track.updated'], enabled: true, consecutiveFailures: 0 });

    const listing = await gql(stack.api.url, LIST, { token: user.token });
    expect(JSON.stringify(listing)).not.toContain(created.secret.slice(6));
    expect(dataOf(listing)).toEqual({ viewer: { webhooks: [created.webhook] } });
    const stored = await storedSecretColumn(created.webhook.id);
    expect(stored).toMatch(/^v1\./);
    expect(stored).not.toContain(created.secret.slice(6, 20));
  });

  it('rejects an unknown event type with BAD_USER_INPUT on eventTypes', async () => {
    const user = await signInNewUser(stack.api.url);
    const response = await createWebhook(stack.api.url, user.token, { url: 'http://127.0.0.1:9/', eventTypes: ['track.updated', 'track.exploded'] });
    expect(codesOf(response)).toEqual(['BAD_USER_INPUT']);
    expect(response.errors?.[0]?.extensions?.field).toBe('eventTypes');
  });

  it('lists the event types a webhook can subscribe to', async () => {
    const { webhookEventTypes } = dataOf(await gql<{ webhookEventTypes: Array<{ name: string }> }>(stack.api.url, '{ webhookEventTypes { name description } }'));
    expect(webhookEventTypes.map((t) => t.name)).toEqual(expect.arrayContaining(['generation.completed', 'generation.failed', 'track.updated', 'track.deleted']));
  });
});

describe('updateWebhook, rotateWebhookSecret, deleteWebhook', () => {
  it('changes what is given, rotates the secret and deletes', async () => {
    const user = await signInNewUser(stack.api.url);
    const { webhook, secret } = dataOf(await createWebhook(stack.api.url, user.token, { url: 'http://127.0.0.1:9/a' })).createWebhook;
    const updated = dataOf(await gql<{ updateWebhook: WebhookNode }>(stack.api.url, UPDATE, { token: user.token, variables: { id: webhook.id, input: { url: 'http://127.0.0.1:9/b', eventTypes: ['track.deleted'], enabled: false } } })).updateWebhook;
    expect(updated).toMatchObject({ url: 'http://127.0.0.1:9/b', eventTypes: ['track.deleted'], enabled: false, disabledReason: 'Disabled by its owner' });
    const reEnabled = dataOf(await gql<{ updateWebhook: WebhookNode }>(stack.api.url, UPDATE, { token: user.token, variables: { id: webhook.id, input: { enabled: true } } })).updateWebhook;
    expect(reEnabled).toMatchObject({ url: 'http://127.0.0.1:9/b', enabled: true, disabledReason: null, consecutiveFailures: 0 });

    const before = await storedSecretColumn(webhook.id);
    const rotated = dataOf(await gql<{ rotateWebhookSecret: { secret: string; webhook: { id: string } } }>(stack.api.url, `mutation($id: ID!) { rotateWebhookSecret(id: $id) { secret webhook { id } } }`, { token: user.token, variables: { id: webhook.id } })).rotateWebhookSecret;
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(secret);
    expect(await storedSecretColumn(webhook.id)).not.toBe(before);

    expect(dataOf(await gql(stack.api.url, `mutation($id: ID!) { deleteWebhook(id: $id) }`, { token: user.token, variables: { id: webhook.id } }))).toEqual({ deleteWebhook: webhook.id });
    expect(dataOf(await gql(stack.api.url, LIST, { token: user.token }))).toEqual({ viewer: { webhooks: [] } });
  });
});

describe('ownership and scopes', () => {
  it("answers NOT_FOUND for another user's webhook, and node(id) answers null", async () => {
    const owner = await signInNewUser(stack.api.url);
    const stranger = await signInNewUser(stack.api.url);
    const { webhook } = dataOf(await createWebhook(stack.api.url, owner.token, { url: 'http://127.0.0.1:9/mine' })).createWebhook;
    const variables = { id: webhook.id };
    for (const mutation of [`mutation($id: ID!) { deleteWebhook(id: $id) }`, `mutation($id: ID!) { testWebhook(id: $id) { id } }`, `mutation($id: ID!) { rotateWebhookSecret(id: $id) { secret } }`]) {
      expect(codesOf(await gql(stack.api.url, mutation, { token: stranger.token, variables }))).toEqual(['NOT_FOUND']);
    }
    expect(codesOf(await gql(stack.api.url, UPDATE, { token: stranger.token, variables: { ...variables, input: { enabled: false } } }))).toEqual(['NOT_FOUND']);
    expect(dataOf(await gql(stack.api.url, `query($id: ID!) { node(id: $id) { id } }`, { token: stranger.token, variables }))).toEqual({ node: null });
    expect(await webhookNode(stack.api.url, owner.token, webhook.id)).toMatchObject({ id: webhook.id, enabled: true });
  });

  it('refuses an API key without webhooks:write with FORBIDDEN; webhooks:read may list', async () => {
    const user = await signInNewUser(stack.api.url);
    const reader = await createApiKey(stack.api.url, user.token, ['webhooks:read']);
    const refused = await gql(stack.api.url, `mutation { createWebhook(input: { url: "http://127.0.0.1:9/" }) { secret } }`, { apiKey: reader.key });
    expect(codesOf(refused)).toEqual(['FORBIDDEN']);
    expect(dataOf(await gql(stack.api.url, LIST, { apiKey: reader.key }))).toEqual({ viewer: { webhooks: [] } });
    const other = await createApiKey(stack.api.url, user.token, ['tracks:read']);
    expect(codesOf(await gql(stack.api.url, LIST, { apiKey: other.key }))).toEqual(['FORBIDDEN']);
    const writer = await createApiKey(stack.api.url, user.token, ['webhooks:write']);
    expect(dataOf(await gql<{ createWebhook: { secret: string } }>(stack.api.url, `mutation { createWebhook(input: { url: "http://127.0.0.1:9/" }) { secret } }`, { apiKey: writer.key })).createWebhook.secret).toMatch(/^whsec_/);
  });
});
