import { describe, expect, it } from 'vitest';
import { DomainError } from '../../../server/core/errors.js';
import { FUTURE_SKEW_SECONDS, verifyInitData } from '../../../server/modules/auth/telegram-init-data.js';
import { initDataFor, signInitData } from '../../support/telegram.js';

const BOT = '7000000001:AAunit-test-bot-token';
const DAY = 86_400;
/** A fixed "now" so that every age below is exact, to the second. */
const NOW = new Date('2026-11-25T12:00:00Z');
const NOW_SECONDS = NOW.getTime() / 1000;

const signedAt = (authDateSeconds: number, user: object = { id: 42, first_name: 'Ada' }) =>
  signInitData(BOT, { user: JSON.stringify(user), auth_date: String(authDateSeconds), query_id: 'AAQ' });

/** The code and message of the error `fn` throws, or "accepted". */
function outcome(fn: () => unknown): { code: string; message: string } | 'accepted' {
  try {
    fn();
    return 'accepted';
  } catch (error) {
    if (error instanceof DomainError) return { code: error.code, message: error.message };
    throw error;
  }
}

describe('verifyInitData age', () => {
  it('accepts data signed just now and returns the user and auth date', () => {
    const verified = verifyInitData(signedAt(NOW_SECONDS), BOT, DAY, NOW);
    expect(verified.user).toMatchObject({ id: 42, first_name: 'Ada', is_premium: false });
    expect(verified.authDate).toEqual(NOW);
    expect(verified.queryId).toBe('AAQ');
  });

  it('accepts data exactly at the age limit and refuses it one second later', () => {
    expect(outcome(() => verifyInitData(signedAt(NOW_SECONDS - DAY), BOT, DAY, NOW))).toBe('accepted');
    expect(outcome(() => verifyInitData(signedAt(NOW_SECONDS - DAY - 1), BOT, DAY, NOW))).toEqual({
      code: 'UNAUTHENTICATED',
      message: expect.stringMatching(/older than 24 h; reopen the Mini App/),
    });
  });

  it('names a configured limit that is not whole hours exactly', () => {
    expect(outcome(() => verifyInitData(signedAt(NOW_SECONDS - 1801), BOT, 1800, NOW))).toMatchObject({ message: expect.stringMatching(/older than 30 min/) });
    expect(outcome(() => verifyInitData(signedAt(NOW_SECONDS - 91), BOT, 90, NOW))).toMatchObject({ message: expect.stringMatching(/older than 90 s/) });
  });

  it('accepts an auth_date ahead of our clock by the allowed skew, and refuses one beyond it', () => {
    expect(outcome(() => verifyInitData(signedAt(NOW_SECONDS + FUTURE_SKEW_SECONDS), BOT, DAY, NOW))).toBe('accepted');
    expect(outcome(() => verifyInitData(signedAt(NOW_SECONDS + FUTURE_SKEW_SECONDS + 1), BOT, DAY, NOW))).toEqual({
      code: 'UNAUTHENTICATED',
      message: expect.stringMatching(/in the future; check the clock/),
    });
  });

  it('refuses data from far in the future, which would otherwise be good for a day longer', () => {
    expect(outcome(() => verifyInitData(signedAt(NOW_SECONDS + DAY), BOT, DAY, NOW))).toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('refuses a signed auth_date that is not a whole number of seconds as BAD_USER_INPUT', () => {
    for (const authDate of ['', 'yesterday', '1.5', '-5']) {
      const initData = signInitData(BOT, { user: JSON.stringify({ id: 1, first_name: 'A' }), auth_date: authDate });
      expect(outcome(() => verifyInitData(initData, BOT, DAY, NOW))).toMatchObject({ code: 'BAD_USER_INPUT', message: expect.stringMatching(/auth_date/) });
    }
  });
});

describe('verifyInitData signature', () => {
  it('checks the signature before the age, so a forged date is not even measured', () => {
    const stale = signedAt(NOW_SECONDS - 10 * DAY);
    expect(outcome(() => verifyInitData(stale, '7000000002:AAother-bot', DAY, NOW))).toMatchObject({ message: expect.stringMatching(/signature is not valid/) });
  });

  it('refuses data whose auth_date was moved forward after signing', () => {
    const signed = signedAt(NOW_SECONDS - DAY - 60);
    const moved = signed.replace(`auth_date=${NOW_SECONDS - DAY - 60}`, `auth_date=${NOW_SECONDS}`);
    expect(moved).not.toBe(signed);
    expect(outcome(() => verifyInitData(moved, BOT, DAY, NOW))).toMatchObject({ code: 'UNAUTHENTICATED', message: expect.stringMatching(/signature/) });
  });

  it('accepts fields in any order and values that need URL encoding', () => {
    const user = { id: 7, first_name: 'Zoë & Co', last_name: 'a=b', username: 'z_o', language_code: 'de', is_premium: true };
    const initData = initDataFor(BOT, user, NOW);
    const reordered = new URLSearchParams([...new URLSearchParams(initData)].reverse()).toString();
    expect(verifyInitData(reordered, BOT, DAY, NOW).user).toMatchObject(user);
  });

  it('refuses a hash of the right shape but the wrong value, compared in constant time', () => {
    const params = new URLSearchParams(signedAt(NOW_SECONDS));
    params.set('hash', '0'.repeat(64));
    expect(outcome(() => verifyInitData(params.toString(), BOT, DAY, NOW))).toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('refuses oversized input as BAD_USER_INPUT before any hashing', () => {
    expect(outcome(() => verifyInitData('a'.repeat(8193), BOT, DAY, NOW))).toMatchObject({ code: 'BAD_USER_INPUT' });
  });
});
