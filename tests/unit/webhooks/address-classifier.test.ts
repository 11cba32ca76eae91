import { describe, expect, it } from 'vitest';
import { classifyAddress } from '../../../server/modules/webhooks/address-classifier.js';
import { openSecret, sealSecret } from '../../../server/modules/webhooks/webhook-secret-box.js';
import { resolveWebhookTarget } from '../../../server/modules/webhooks/webhook-target.js';
import { webhookSettingsFromEnv, WebhookSettingsError } from '../../../server/modules/webhooks/webhook.settings.js';

// Unit tests (no servers): the rules every webhook URL is judged by.
describe('classifyAddress', () => {
  it.each([
    ['8.8.8.8', 'public'],
    ['1.1.1.1', 'public'],
    ['172.32.0.1', 'public'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['169.254.169.254', 'link-local'],
    ['100.64.0.1', 'cgnat'],
    ['100.127.255.254', 'cgnat'],
    ['100.128.0.1', 'public'],
    ['224.0.0.1', 'multicast'],
    ['0.0.0.0', 'unspecified'],
    ['255.255.255.255', 'reserved'],
    ['198.18.0.1', 'reserved'],
    ['2606:4700:4700::1111', 'public'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['fd12:3456::1', 'unique-local'],
    ['fc00::1', 'unique-local'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'reserved'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:8.8.8.8', 'public'],
    ['64:ff9b::a9fe:a9fe', 'link-local'],
    ['2002:c0a8:0101::1', 'private'],
    ['::127.0.0.1', 'reserved'],
  ])('%s is %s', (address, kind) => {
    expect(classifyAddress(address)).toBe(kind);
  });

  it('throws for text that is not an address', () => {
    expect(() => classifyAddress('example.com')).toThrow();
  });
});

describe('resolveWebhookTarget', () => {
  const settings = { allowedHosts: new Set<string>() };
  const resolver = (answers: string[]) => async () => answers.map((address) => ({ address, family: address.includes(':') ? (6 as const) : (4 as const) }));

  it('refuses a name any of whose addresses is not public (BAD_USER_INPUT on url)', async () => {
    await expect(resolveWebhookTarget(new URL('https://hooks.example/'), settings, resolver(['93.184.216.34', '127.0.0.1']))).rejects.toMatchObject({ code: 'BAD_USER_INPUT', details: { field: 'url' } });
  });

  it('answers the first address of a public name, to connect to it and nothing else', async () => {
    await expect(resolveWebhookTarget(new URL('https://hooks.example/'), settings, resolver(['93.184.216.34']))).resolves.toEqual({ address: '93.184.216.34', family: 4 });
  });

  it('lets an allowlisted host resolve to a local address', async () => {
    await expect(resolveWebhookTarget(new URL('http://receiver.test/'), { allowedHosts: new Set(['receiver.test']) }, resolver(['127.0.0.1']))).resolves.toEqual({ address: '127.0.0.1', family: 4 });
  });

  it('refuses a name that does not resolve', async () => {
    await expect(resolveWebhookTarget(new URL('https://nowhere.example/'), settings, resolver([]))).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
  });
});

describe('webhook secrets at rest', () => {
  const key = webhookSettingsFromEnv({}, { production: false, jwtSecret: 'x'.repeat(32) }).encryptionKey;

  it('round-trips, and does not open under another endpoint id or key', () => {
    const sealed = sealSecret(key, 'endpoint-a', 'whsec_abc');
    expect(sealed).not.toContain('abc');
    expect(openSecret(key, 'endpoint-a', sealed)).toBe('whsec_abc');
    expect(() => openSecret(key, 'endpoint-b', sealed)).toThrow();
    expect(() => openSecret(Buffer.alloc(32, 1), 'endpoint-a', sealed)).toThrow();
  });

  it('refuses to start in production without WEBHOOK_ENCRYPTION_KEY', () => {
    expect(() => webhookSettingsFromEnv({}, { production: true, jwtSecret: 'x'.repeat(32) })).toThrow(WebhookSettingsError);
    expect(webhookSettingsFromEnv({ WEBHOOK_ENCRYPTION_KEY: 'k'.repeat(32) }, { production: true, jwtSecret: 'x'.repeat(32) }).httpsOnly).toBe(true);
  });
});
