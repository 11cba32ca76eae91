import type { CombinedError } from 'urql';

/** What each error code means to a person, and what they can do about it. */
const WORDS: Record<string, string> = {
  UNAUTHENTICATED: 'Your session has ended. Close and reopen the app to sign in again.',
  FORBIDDEN: 'You are not allowed to do that.',
  NOT_FOUND: 'This no longer exists, or it is not yours.',
  INSUFFICIENT_CREDITS: 'You do not have enough credits for this. Wait for your daily grant or choose a shorter track.',
  CONFLICT: 'This was changed somewhere else in the meantime.',
  RATE_LIMITED: 'Too many requests. Wait a moment and try again.',
  FEATURE_NOT_IN_TIER: 'Your plan does not include this.',
  IDEMPOTENCY_KEY_REUSED: 'This request was already sent with different details. Try again.',
  INTERNAL: 'Something went wrong on our side. Try again in a moment.',
};

export function errorCode(error: CombinedError | undefined): string | undefined {
  const code = error?.graphQLErrors[0]?.extensions?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * A sentence for the user. The server's own message is kept where it explains the specific case
 * (a bad field, a plan limit); otherwise the code's general meaning is used.
 */
export function describeError(error: CombinedError | undefined): string {
  if (!error) return '';
  if (error.networkError) return 'Cannot reach MusicVerse. Check your connection and try again.';
  const first = error.graphQLErrors[0];
  const code = errorCode(error);
  if (code === 'BAD_USER_INPUT' || code === 'FEATURE_NOT_IN_TIER' || code === 'FORBIDDEN') {
    const general = code === 'FEATURE_NOT_IN_TIER' ? `${WORDS[code]} ` : '';
    const upgrade = first?.extensions?.upgrade;
    const hint = code === 'FEATURE_NOT_IN_TIER' && typeof upgrade === 'string' ? ` Upgrading to ${upgrade.toLowerCase()} unlocks it.` : '';
    return `${general}${first?.message ?? ''}${hint}`.trim();
  }
  if (code === 'RATE_LIMITED' && typeof first?.extensions?.retryAfter === 'number') {
    return `Too many requests. Try again in ${first.extensions.retryAfter} seconds.`;
  }
  return (code && WORDS[code]) ?? WORDS.INTERNAL;
}

/** The input field a BAD_USER_INPUT names (`extensions.field`), to show the words beside it. */
export function errorField(error: CombinedError | undefined): string | undefined {
  if (errorCode(error) !== 'BAD_USER_INPUT') return undefined;
  const field = error?.graphQLErrors[0]?.extensions?.field;
  return typeof field === 'string' ? field : undefined;
}
