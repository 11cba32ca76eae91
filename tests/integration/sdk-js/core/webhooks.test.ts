import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { newWebhookSecret, signWebhook } from '../../../../server/modules/webhooks/webhook-signature.js';
import { signWebhookForTesting, verifyWebhook, WebhookVerificationError } from '../../../../sdk-js/src/index.js';

/** A delivery body as the platform sends it: exact bytes, verified before parsing. */
function deliveryBody(): string {
  return JSON.stringify({ type: 'job.succeeded', data: { jobId: `Sm9iOj${randomUUID()}`, status: 'SUCCEEDED' } });
}

function verificationError(check: () => unknown): WebhookVerificationError {
  try {
    check();
  } catch (error) {
    expect(error).toBeInstanceOf(WebhookVerificationError);
    return error as WebhookVerificationError;
  }
  throw new Error('verifyWebhook accepted the delivery');
}

describe('verifyWebhook against the server signer', () => {
  it('accepts a delivery the server signed and returns its parsed payload', () => {
    const secret = newWebhookSecret();
    const body = deliveryBody();
    const headers = signWebhook(secret, `msg_${randomUUID()}`, body);
    expect(verifyWebhook(body, headers, secret)).toEqual(JSON.parse(body));
    expect(verifyWebhook(Buffer.from(body), new Headers({ ...headers }), secret)).toEqual(JSON.parse(body));
  });

  it('rejects a tampered body', () => {
    const secret = newWebhookSecret();
    const body = deliveryBody();
    const headers = signWebhook(secret, `msg_${randomUUID()}`, body);
    const error = verificationError(() => verifyWebhook(body.replace('SUCCEEDED', 'FAILED'), headers, secret));
    expect(error.message).toMatch(/signature/);
  });

  it('rejects a signature made with another secret', () => {
    const body = deliveryBody();
    const headers = signWebhook(newWebhookSecret(), `msg_${randomUUID()}`, body);
    verificationError(() => verifyWebhook(body, headers, newWebhookSecret()));
  });

  it('rejects a timestamp older than the tolerance, and accepts it within a wider one', () => {
    const secret = newWebhookSecret();
    const body = deliveryBody();
    const headers = signWebhook(secret, `msg_${randomUUID()}`, body, new Date(Date.now() - 301_000));
    expect(verificationError(() => verifyWebhook(body, headers, secret)).message).toMatch(/too old/);
    expect(verifyWebhook(body, headers, secret, { toleranceSeconds: 600 })).toEqual(JSON.parse(body));
  });

  it('rejects a timestamp from the future beyond the tolerance', () => {
    const secret = newWebhookSecret();
    const body = deliveryBody();
    const signedAt = new Date();
    const headers = signWebhook(secret, `msg_${randomUUID()}`, body, signedAt);
    const now = new Date(signedAt.getTime() - 400_000);
    expect(verificationError(() => verifyWebhook(body, headers, secret, { now })).message).toMatch(/future/);
  });

  it('rejects a delivery missing a header or with only the legacy signature', () => {
    const secret = newWebhookSecret();
    const body = deliveryBody();
    const { 'webhook-signature': _signature, ...legacyOnly } = signWebhook(secret, `msg_${randomUUID()}`, body);
    expect(verificationError(() => verifyWebhook(body, legacyOnly, secret)).message).toMatch(/Missing/);
  });

  it('accepts when one of several space-separated signatures matches (secret rotation)', () => {
    const secret = newWebhookSecret();
    const body = deliveryBody();
    const headers = signWebhook(secret, `msg_${randomUUID()}`, body);
    const rotated = { ...headers, 'webhook-signature': `v1,${Buffer.alloc(32).toString('base64')} ${headers['webhook-signature']}` };
    expect(verifyWebhook(body, rotated, secret)).toEqual(JSON.parse(body));
  });
});

describe('signWebhookForTesting', () => {
  it('signs as the Standard Webhooks library verifies, and verifyWebhook accepts it', () => {
    const secret = newWebhookSecret();
    const body = deliveryBody();
    const headers = signWebhookForTesting(body, secret, { id: 'msg_test_1' });
    expect(headers['webhook-id']).toBe('msg_test_1');
    expect(new Webhook(secret).verify(body, { ...headers })).toEqual(JSON.parse(body));
    expect(verifyWebhook(body, headers, secret)).toEqual(JSON.parse(body));
  });
});
