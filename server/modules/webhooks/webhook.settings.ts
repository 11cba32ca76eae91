import { hkdfSync } from 'node:crypto';

/**
 * Webhook delivery settings, read from the environment by server/config.ts:
 * - WEBHOOK_ENCRYPTION_KEY (32+ characters): the key material signing secrets are encrypted
 *   with. Required in production; elsewhere derived from JWT_SECRET so local runs need nothing.
 *   Changing it makes stored secrets unreadable (rotate every webhook's secret afterwards).
 * - WEBHOOK_ALLOWED_HOSTS: comma list of hosts exempt from the private-address rule (e.g.
 *   `127.0.0.1,localhost` for a local receiver). Empty by default.
 * - WEBHOOK_RETRY_BASE_MS (30000): delay before the first retry, doubling each time.
 * - WEBHOOK_MAX_ATTEMPTS (8): tries per delivery before it ends FAILED.
 * - WEBHOOK_TIMEOUT_MS (10000): how long one request may take, answer included.
 */
export interface WebhookSettings {
  /** 32 bytes for AES-256-GCM. */
  encryptionKey: Buffer;
  /** Lower-case host names and addresses (IPv6 without brackets). */
  allowedHosts: ReadonlySet<string>;
  /** Only https URLs (production); http is accepted elsewhere. */
  httpsOnly: boolean;
  retryBaseMs: number;
  maxAttempts: number;
  timeoutMs: number;
}

/** A webhook setting is missing or malformed; config.ts turns it into its one-line error. */
export class WebhookSettingsError extends Error {}

/** Endpoints are disabled after this many deliveries in a row end FAILED. */
export const DISABLE_AFTER_CONSECUTIVE_FAILURES = 10;

type Env = Record<string, string | undefined>;

function whole(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw new WebhookSettingsError(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  return value;
}

/** Normalises a host as URL parsing does: lower case, IPv6 without brackets. */
export function normaliseHost(host: string): string {
  return host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
}

function deriveKey(material: string, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', material, 'musicverse-webhooks', purpose, 32));
}

export function webhookSettingsFromEnv(env: Env, options: { production: boolean; jwtSecret: string }): WebhookSettings {
  const material = env.WEBHOOK_ENCRYPTION_KEY;
  if (material !== undefined && material !== '' && material.length < 32) throw new WebhookSettingsError('WEBHOOK_ENCRYPTION_KEY must be at least 32 characters');
  if (!material && options.production) throw new WebhookSettingsError('WEBHOOK_ENCRYPTION_KEY must be set in production (32+ random characters; it encrypts webhook signing secrets)');
  const encryptionKey = material ? deriveKey(material, 'secret-encryption') : deriveKey(options.jwtSecret, 'dev-secret-encryption');
  const allowedHosts = new Set((env.WEBHOOK_ALLOWED_HOSTS ?? '').split(',').map(normaliseHost).filter(Boolean));
  return {
    encryptionKey,
    allowedHosts,
    httpsOnly: options.production,
    retryBaseMs: whole(env, 'WEBHOOK_RETRY_BASE_MS', 30_000, 1, 3_600_000),
    maxAttempts: whole(env, 'WEBHOOK_MAX_ATTEMPTS', 8, 1, 20),
    timeoutMs: whole(env, 'WEBHOOK_TIMEOUT_MS', 10_000, 100, 60_000),
  };
}
