import { createHmac, timingSafeEqual } from 'node:crypto';
import { FutureInitDataError, InitDataSignatureError, MalformedInitDataError, StaleInitDataError } from './auth.errors.js';

/** The `user` object of Telegram's WebAppInitData. */
export interface TelegramUser {
  id: number;
  first_name: string;
  last_name?: string;
  username?: string;
  language_code?: string;
  is_premium?: boolean;
  photo_url?: string;
}

export interface VerifiedInitData {
  user: TelegramUser;
  authDate: Date;
  queryId?: string;
}

/** An auth_date up to this far ahead of our clock is accepted: Telegram's clock and ours may differ. */
export const FUTURE_SKEW_SECONDS = 60;

/** The key Telegram signs Mini App data with: HMAC-SHA256 of the bot token, keyed "WebAppData". */
function webAppSecret(botToken: string): Buffer {
  return createHmac('sha256', 'WebAppData').update(botToken).digest();
}

/**
 * Checks Mini App initData as Telegram documents it: every field but `hash`, as `key=value`
 * lines sorted by key and joined by "\n", signed with HMAC-SHA256 under the WebAppData key.
 */
export function verifyInitData(initData: string, botToken: string, maxAgeSeconds: number, now = new Date()): VerifiedInitData {
  if (typeof initData !== 'string' || initData.length === 0 || initData.length > 8192) {
    throw new MalformedInitDataError('expected a non-empty query string of at most 8 KiB');
  }
  const params = new URLSearchParams(initData);
  const hash = params.get('hash');
  if (!hash || !/^[0-9a-f]{64}$/i.test(hash)) throw new MalformedInitDataError('the hash field is missing');
  const lines: string[] = [];
  for (const [key, value] of params) {
    if (key !== 'hash') lines.push(`${key}=${value}`);
  }
  lines.sort();
  const expected = createHmac('sha256', webAppSecret(botToken)).update(lines.join('\n')).digest();
  if (!timingSafeEqual(expected, Buffer.from(hash, 'hex'))) throw new InitDataSignatureError();

  const authDateSeconds = Number(params.get('auth_date'));
  if (!Number.isInteger(authDateSeconds) || authDateSeconds <= 0) {
    throw new MalformedInitDataError('auth_date is missing');
  }
  const ageSeconds = now.getTime() / 1000 - authDateSeconds;
  if (ageSeconds > maxAgeSeconds) throw new StaleInitDataError(maxAgeSeconds);
  if (ageSeconds < -FUTURE_SKEW_SECONDS) throw new FutureInitDataError();

  const user = parseUser(params.get('user'));
  return { user, authDate: new Date(authDateSeconds * 1000), queryId: params.get('query_id') ?? undefined };
}

function parseUser(raw: string | null): TelegramUser {
  if (!raw) throw new MalformedInitDataError('the user field is missing');
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new MalformedInitDataError('the user field is not JSON');
  }
  if (typeof value !== 'object' || value === null) throw new MalformedInitDataError('the user field is not an object');
  const user = value as Record<string, unknown>;
  if (!Number.isSafeInteger(user.id) || (user.id as number) <= 0) throw new MalformedInitDataError('user.id is missing');
  if (typeof user.first_name !== 'string') throw new MalformedInitDataError('user.first_name is missing');
  const optionalText = (name: string): string | undefined => (typeof user[name] === 'string' ? (user[name] as string) : undefined);
  return {
    id: user.id as number,
    first_name: user.first_name,
    last_name: optionalText('last_name'),
    username: optionalText('username'),
    language_code: optionalText('language_code'),
    photo_url: optionalText('photo_url'),
    is_premium: user.is_premium === true,
  };
}
