import { randomBytes } from 'node:crypto';

/**
 * A key reads `amv_live_` + a 12-character public lookup id + a 43-character secret (32 random
 * bytes), all URL-safe base64. The lookup id finds the row; bcrypt checks the whole key.
 */
export const API_KEY_PREFIX = 'amv_live_';
const LOOKUP_LENGTH = 12;
const SECRET_LENGTH = 43;
const SHAPE = new RegExp(`^${API_KEY_PREFIX}[A-Za-z0-9_-]{${LOOKUP_LENGTH + SECRET_LENGTH}}$`);

export function generateApiKey(): { key: string; lookupId: string } {
  const lookupId = randomBytes(9).toString('base64url');
  const secret = randomBytes(32).toString('base64url');
  return { key: `${API_KEY_PREFIX}${lookupId}${secret}`, lookupId };
}

/** The lookup id of a well-formed key, or null for anything else. */
export function lookupIdOf(key: string): string | null {
  if (!SHAPE.test(key)) return null;
  return key.slice(API_KEY_PREFIX.length, API_KEY_PREFIX.length + LOOKUP_LENGTH);
}

/** What may be shown of a key after creation: enough to recognise it, nothing to use. */
export function displayPrefix(lookupId: string): string {
  return `${API_KEY_PREFIX}${lookupId}…`;
}
