import { useEffect, useState, type FormEvent } from 'react';
import { AuthenticateTelegramDocument, DevSignInDocument } from '../generated/graphql';
import { haptic, telegramWebApp } from '../telegram/web-app';
import { authClient, codeOf, sessions } from './session';
import { describeError } from '../api/errors';

type Phase = { kind: 'checking' } | { kind: 'signed-out' } | { kind: 'dev-form' } | { kind: 'telegram-only' } | { kind: 'failed'; message: string };

/**
 * Whether this server offers devSignIn, asked without signing anyone in: an id that is not a
 * number is refused as BAD_USER_INPUT when dev sign-in is on, and FORBIDDEN when it is off.
 */
async function devSignInOffered(): Promise<boolean | 'unreachable'> {
  const result = await authClient.mutation(DevSignInDocument, { input: { telegramId: 'probe' } }).toPromise();
  if (result.error?.networkError) return 'unreachable';
  return codeOf(result.error) !== 'FORBIDDEN';
}

/** Signs in with Telegram's initData, or offers the local dev sign-in in a plain browser. */
export function SignIn() {
  const [phase, setPhase] = useState<Phase>({ kind: 'checking' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let cancelled = false;
    const settle = (next: Phase) => !cancelled && setPhase(next);
    const webApp = telegramWebApp();
    // After "Sign out" Telegram's initData would sign straight back in: wait to be asked.
    if (webApp && attempt === 0 && sessions.signOutOutcome()) {
      settle({ kind: 'signed-out' });
    } else if (webApp) {
      void authClient
        .mutation(AuthenticateTelegramDocument, { initData: webApp.initData })
        .toPromise()
        .then((result) => {
          if (result.data) return sessions.signIn(result.data.authenticateTelegram);
          haptic('error');
          settle({ kind: 'failed', message: `Could not sign you in with Telegram. ${describeError(result.error)}` });
        });
    } else {
      void devSignInOffered().then((offered) =>
        settle(offered === 'unreachable' ? { kind: 'failed', message: 'Cannot reach MusicVerse. Check your connection and try again.' } : offered ? { kind: 'dev-form' } : { kind: 'telegram-only' }),
      );
    }
    return () => {
      cancelled = true;
    };
  }, [attempt]);

  return (
    <main className="screen narrow">
      <h1>MusicVerse</h1>
      <SignedOutNote />
      {phase.kind === 'checking' && (
        <p role="status" className="muted">
          Signing you in…
        </p>
      )}
      {phase.kind === 'signed-out' && (
        <button type="button" onClick={() => setAttempt((n) => n + 1)}>
          Sign in with Telegram
        </button>
      )}
      {phase.kind === 'telegram-only' && (
        <p>MusicVerse is a Telegram Mini App. Open it from the MusicVerse bot in Telegram to sign in.</p>
      )}
      {phase.kind === 'failed' && (
        <div className="error" role="alert">
          <p>{phase.message}</p>
          <button type="button" onClick={() => setAttempt((n) => n + 1)}>
            Try again
          </button>
        </div>
      )}
      {phase.kind === 'dev-form' && <DevSignInForm />}
    </main>
  );
}

/** Says the person is signed out, and whether the server could be told. */
function SignedOutNote() {
  const outcome = sessions.signOutOutcome();
  if (!outcome) return null;
  return (
    <p role="status" className="card">
      <strong>You are signed out.</strong>{' '}
      {outcome === 'ended'
        ? 'Your session has ended on the server.'
        : 'MusicVerse could not be reached to end your session there; it was forgotten on this device.'}
    </p>
  );
}

/** Local development only: the server runs with DEV_LOGIN=1, so any Telegram id will do. */
function DevSignInForm() {
  const [telegramId, setTelegramId] = useState('1001');
  const [firstName, setFirstName] = useState('Developer');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError('');
    const result = await authClient.mutation(DevSignInDocument, { input: { telegramId: telegramId.trim(), firstName: firstName.trim() || 'Developer' } }).toPromise();
    setBusy(false);
    if (result.data) sessions.signIn(result.data.devSignIn);
    else setError(describeError(result.error));
  };

  return (
    <form className="card" onSubmit={(event) => void submit(event)}>
      <p>You are outside Telegram. This server allows a development sign-in as any Telegram user.</p>
      <label>
        Telegram id
        <input inputMode="numeric" pattern="\d{1,15}" required value={telegramId} onChange={(e) => setTelegramId(e.target.value)} />
      </label>
      <label>
        First name
        <input value={firstName} onChange={(e) => setFirstName(e.target.value)} />
      </label>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" disabled={busy}>
        {busy ? 'Signing in…' : 'Sign in for development'}
      </button>
    </form>
  );
}
