import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codesOf, dataOf, gql } from '../../support/graphql-client.js';
import type { GenerationStack } from '../../support/generation-stack.js';
import { signInNewUser, type SignedInUser } from '../../support/users.js';
import { createWebhook, startWebhookStack } from './webhooks.harness.js';

let stack: GenerationStack;
let user: SignedInUser;
beforeAll(async () => {
  stack = await startWebhookStack('whurls');
  user = await signInNewUser(stack.api.url);
});
afterAll(async () => {
  await stack.stop();
});

async function refusal(url: string): Promise<{ codes: string[]; field: unknown; message: string | undefined }> {
  const response = await createWebhook(stack.api.url, user.token, { url });
  return { codes: codesOf(response), field: response.errors?.[0]?.extensions?.field, message: response.errors?.[0]?.message };
}

describe('createWebhook URL rules', () => {
  it.each([
    ['http://10.0.0.1/hook', 'private'],
    ['http://192.168.1.1/hook', 'private'],
    ['http://169.254.169.254/latest/meta-data', 'link-local'],
    ['http://[::1]/hook', 'loopback'],
    ['http://[::ffff:127.0.0.1]:8080/hook', 'loopback'],
    ['http://[fd00::1]/hook', 'unique-local'],
    ['http://100.64.0.1/hook', 'cgnat'],
    ['http://0.0.0.0/hook', 'unspecified'],
    ['http://2852039166/hook', 'link-local'],
  ])('refuses %s (%s) with BAD_USER_INPUT on url', async (url, kind) => {
    const answer = await refusal(url);
    expect(answer).toMatchObject({ codes: ['BAD_USER_INPUT'], field: 'url' });
    expect(answer.message).toContain(kind);
  });

  it('refuses localhost when only 127.0.0.1 is allowlisted: the name resolves to a loopback address', async () => {
    const answer = await refusal('http://localhost:8080/hook');
    expect(answer).toMatchObject({ codes: ['BAD_USER_INPUT'], field: 'url' });
    expect(answer.message).toContain('resolves to a loopback address');
  });

  it('refuses other schemes and text that is not a URL', async () => {
    expect(await refusal('ftp://127.0.0.1/hook')).toMatchObject({ codes: ['BAD_USER_INPUT'], field: 'url' });
    expect(await refusal('not a url')).toMatchObject({ codes: ['BAD_USER_INPUT'], field: 'url' });
  });

  it('accepts an allowlisted host, and checks the URL again on update', async () => {
    const { webhook } = dataOf(await createWebhook(stack.api.url, user.token, { url: 'http://127.0.0.1:8080/hook' })).createWebhook;
    const response = await gql(stack.api.url, `mutation($id: ID!, $input: UpdateWebhookInput!) { updateWebhook(id: $id, input: $input) { url } }`, {
      token: user.token,
      variables: { id: webhook.id, input: { url: 'http://192.168.1.1/hook' } },
    });
    expect(codesOf(response)).toEqual(['BAD_USER_INPUT']);
    expect(response.errors?.[0]?.extensions?.field).toBe('url');
  });
});
