import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';

/**
 * Verification of the platform's signed webhook deliveries (Standard Webhooks):
 *   webhook-id         the message id, the same on every retry of a delivery
 *   webhook-timestamp  unix seconds when it was signed
 *   webhook-signature  space-separated "v1,<base64 HMAC-SHA256 of `<id>.<timestamp>.<body>`>"
 * The HMAC key is the base64 text after `whsec_` in the endpoint's secret. Verify the raw body
 * exactly as received: parsing and re-serialising JSON changes the bytes.
 */

/** Default allowed distance between a delivery's timestamp and now, both ways: 5 minutes. */
export const DEFAULT_WEBHOOK_TOLERANCE_SECONDS = 300;

const SECRET_PREFIX = 'whsec_';
const SIGNATURE_VERSION = 'v1';

/**
 * The request's headers: a fetch Headers, or any object of header name (any case) to a string
 * or string[] (Node's IncomingHttpHeaders, Express's req.headers, a plain literal).
 */
export type WebhookHeaders = { get(name: string): string | null } | object;

export interface VerifyWebhookOptions {
  /** Seconds a timestamp may lie from `now`, either way. Default 300. */
  toleranceSeconds?: number;
  /** The current time; for tests. Default: now. */
  now?: Date;
}

export interface SignedWebhookHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/** The delivery is not authentic or not fresh; answer 400 and do not act on it. */
export class WebhookVerificationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookVerificationError';
  }
}

/**
 * Checks a delivery's signature and timestamp and returns its parsed JSON payload, or throws
 * WebhookVerificationError. Signatures are compared in constant time.
 */
export function verifyWebhook<T = unknown>(rawBody: string | Uint8Array, headers: WebhookHeaders, secret: string, options: VerifyWebhookOptions = {}): T {
  const id = headerOf(headers, 'webhook-id');
  const timestamp = headerOf(headers, 'webhook-timestamp');
  const signatures = headerOf(headers, 'webhook-signature');
  if (!id || !timestamp || !signatures) throw new WebhookVerificationError('Missing webhook-id, webhook-timestamp or webhook-signature header');

  const seconds = Number(timestamp);
  if (!/^\d+$/.test(timestamp) || !Number.isSafeInteger(seconds)) throw new WebhookVerificationError('Invalid webhook-timestamp');
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const tolerance = options.toleranceSeconds ?? DEFAULT_WEBHOOK_TOLERANCE_SECONDS;
  if (seconds < now - tolerance) throw new WebhookVerificationError('Webhook timestamp is too old');
  if (seconds > now + tolerance) throw new WebhookVerificationError('Webhook timestamp is in the future');

  const body = typeof rawBody === 'string' ? rawBody : Buffer.from(rawBody).toString('utf8');
  const expected = signatureOf(keyOf(secret), id, timestamp, body);
  const matches = signatures.split(' ').some((entry) => {
    const [version, signature] = entry.split(',', 2);
    return version === SIGNATURE_VERSION && signature !== undefined && constantTimeEqual(signature, expected);
  });
  if (!matches) throw new WebhookVerificationError('No matching webhook signature');

  try {
    return JSON.parse(body) as T;
  } catch {
    throw new WebhookVerificationError('Webhook body is not JSON');
  }
}

/**
 * Signs `rawBody` as the platform does, for tests of your webhook handler (like stripe-node's
 * generateTestHeaderString). Returns the headers to send with the body.
 */
export function signWebhookForTesting(rawBody: string, secret: string, options: { id?: string; timestamp?: Date } = {}): SignedWebhookHeaders {
  const id = options.id ?? `msg_${randomUUID()}`;
  const seconds = Math.floor((options.timestamp ?? new Date()).getTime() / 1000);
  return {
    'webhook-id': id,
    'webhook-timestamp': String(seconds),
    'webhook-signature': `${SIGNATURE_VERSION},${signatureOf(keyOf(secret), id, String(seconds), rawBody)}`,
  };
}

function keyOf(secret: string): Buffer {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  const key = Buffer.from(encoded, 'base64');
  if (key.length === 0) throw new WebhookVerificationError('The webhook secret is empty or not base64');
  return key;
}

/** Over the timestamp exactly as sent, so the bytes signed and the bytes checked are the same. */
function signatureOf(key: Buffer, id: string, timestamp: string, body: string): string {
  return createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
}

/** Equal lengths are checked first (a length is no secret); then timingSafeEqual. */
function constantTimeEqual(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function headerOf(headers: WebhookHeaders, name: string): string | undefined {
  if ('get' in headers && typeof headers.get === 'function') {
    const value: unknown = headers.get(name);
    return typeof value === 'string' ? value : undefined;
  }
  const entry = Object.entries(headers).find(([key]) => key.toLowerCase() === name);
  const value: unknown = Array.isArray(entry?.[1]) ? (entry[1] as unknown[])[0] : entry?.[1];
  return typeof value === 'string' ? value : undefined;
}
