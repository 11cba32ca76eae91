import { createHmac, randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

/**
 * How the platform signs a webhook delivery. Standard Webhooks headers (webhook-id,
 * webhook-timestamp, webhook-signature "v1,<base64 HMAC-SHA256 of id.timestamp.body>") plus the
 * legacy X-Webhook-Signature ("t=<unix seconds>,v1=<hex HMAC-SHA256 of timestamp.body>") for
 * receivers written before the standard. Both use the key inside the `whsec_` secret. The SDKs'
 * verifyWebhook check these headers; tests sign with this module, so the two sides are checked
 * against each other, not against themselves.
 */
export const WEBHOOK_SECRET_PREFIX = 'whsec_';

export interface WebhookSignatureHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
  'x-webhook-signature': string;
}

/** A new signing secret: `whsec_` and 32 random bytes in base64, shown to its owner once. */
export function newWebhookSecret(): string {
  return WEBHOOK_SECRET_PREFIX + randomBytes(32).toString('base64');
}

function keyOf(secret: string): Buffer {
  const encoded = secret.startsWith(WEBHOOK_SECRET_PREFIX) ? secret.slice(WEBHOOK_SECRET_PREFIX.length) : secret;
  return Buffer.from(encoded, 'base64');
}

/** The headers for one delivery of `body` (the exact bytes sent), identified by `messageId`. */
export function signWebhook(secret: string, messageId: string, body: string, at: Date = new Date()): WebhookSignatureHeaders {
  const timestamp = Math.floor(at.getTime() / 1000);
  const legacy = createHmac('sha256', keyOf(secret)).update(`${timestamp}.${body}`).digest('hex');
  return {
    'webhook-id': messageId,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': new Webhook(keyOf(secret), { format: 'raw' }).sign(messageId, at, body),
    'x-webhook-signature': `t=${timestamp},v1=${legacy}`,
  };
}
