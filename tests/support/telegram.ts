import { createHmac } from 'node:crypto';

/**
 * Signs Mini App initData the way Telegram's servers do, written from Telegram's documentation
 * and independent of the server's verifier: secret = HMAC_SHA256(key "WebAppData", bot token);
 * hash = hex HMAC_SHA256(key secret, data-check-string), where the data-check-string is every
 * field but hash as "key=value", sorted by key, joined with "\n".
 */
export function signInitData(botToken: string, fields: Record<string, string>): string {
  const dataCheckString = Object.keys(fields)
    .sort()
    .map((key) => `${key}=${fields[key]}`)
    .join('\n');
  const secret = createHmac('sha256', 'WebAppData').update(botToken).digest();
  const hash = createHmac('sha256', secret).update(dataCheckString).digest('hex');
  const params = new URLSearchParams(fields);
  params.set('hash', hash);
  return params.toString();
}

let nextId = 100_000_000 + Math.floor(Math.random() * 700_000_000);

/** A fresh Telegram user id, so each test owns its user. */
export function newTelegramId(): number {
  nextId += 1;
  return nextId;
}

export interface InitDataUser {
  id: number;
  first_name: string;
  last_name?: string;
  username?: string;
  language_code?: string;
  is_premium?: boolean;
}

/** initData for `user` signed for `botToken`, as Telegram.WebApp.initData carries it. */
export function initDataFor(botToken: string, user: InitDataUser, authDate = new Date()): string {
  return signInitData(botToken, {
    query_id: 'AAHdF6IQAAAAAN0XohDhrOrc',
    user: JSON.stringify(user),
    auth_date: String(Math.floor(authDate.getTime() / 1000)),
  });
}
