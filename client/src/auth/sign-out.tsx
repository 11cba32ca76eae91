import { useState } from 'react';
import { navigate } from '../router';
import { sessions } from './session';

/**
 * Who is signed in, and "Sign out": the server ends the session, this device forgets its tokens,
 * and the app closes its socket and returns to the sign-in page (App reacts to the session store).
 */
export function SignOutCard() {
  const [busy, setBusy] = useState(false);
  const user = sessions.current()?.user;
  const name = user ? [user.firstName, user.lastName].filter(Boolean).join(' ') : '';
  return (
    <section className="card" aria-labelledby="account-heading">
      <h2 id="account-heading">Account</h2>
      {user && (
        <p>
          Signed in as <strong>{name}</strong>
          {user.username ? ` (@${user.username})` : ''}
        </p>
      )}
      <button
        type="button"
        className="secondary"
        disabled={busy}
        onClick={() => {
          setBusy(true);
          // Whoever signs in next starts at the library, not on this person's last screen.
          void sessions.signOut().then(() => navigate({ screen: 'library' }));
        }}
      >
        {busy ? 'Signing out…' : 'Sign out'}
      </button>
    </section>
  );
}
