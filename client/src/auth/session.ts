import { Client, fetchExchange, type CombinedError } from '@urql/core';
import { GRAPHQL_URL } from '../api/endpoint';
import { RefreshSessionDocument, SignOutDocument, type AuthPayloadFieldsFragment } from '../generated/graphql';

export type Session = AuthPayloadFieldsFragment;

/**
 * How the person's own sign-out went: `ended` when the server ended the session (its tokens stop
 * working everywhere), `forgotten` when it could not be reached and the tokens were only dropped
 * here. Kept in memory only, so a reload inside Telegram signs in again from initData.
 */
export type SignOutOutcome = 'ended' | 'forgotten';

const STORAGE_KEY = 'musicverse.session';
/** Refresh a little before the access token's hour is up, not after the server refuses it. */
const EARLY_REFRESH_MS = 60_000;

/** Sign-in and refresh need no cache and no credentials: a bare client of their own. */
export const authClient = new Client({ url: GRAPHQL_URL, exchanges: [fetchExchange], preferGetMethod: false });

export function codeOf(error: CombinedError | undefined): string | undefined {
  const code = error?.graphQLErrors[0]?.extensions?.code;
  return typeof code === 'string' ? code : undefined;
}

function readStored(): Session | null {
  try {
    const raw = sessionStorage.getItem(STORAGE_KEY);
    return raw ? (JSON.parse(raw) as Session) : null;
  } catch {
    return null;
  }
}

/**
 * The signed-in session: kept in memory and in sessionStorage (so a reload inside the same
 * WebView stays signed in, and closing the Mini App forgets it). Refreshes are serialised: a
 * refresh token works once, so concurrent callers share one refreshSession call.
 */
class SessionStore {
  private session: Session | null = readStored();
  private refreshing: Promise<Session | null> | null = null;
  private signedOut: SignOutOutcome | null = null;
  private readonly listeners = new Set<() => void>();

  current(): Session | null {
    return this.session;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Set when the person signed out in this page, until they sign in again. */
  signOutOutcome(): SignOutOutcome | null {
    return this.signedOut;
  }

  /** A new session from a sign-in (Telegram or dev): a past sign-out no longer applies. */
  signIn(session: Session): void {
    this.signedOut = null;
    this.set(session);
  }

  /**
   * Ends the session on the server (signOut: its access and refresh tokens stop working), then
   * forgets it here whatever the answer, so an unreachable server never keeps anyone signed in
   * on this phone. The App, a listener, then drops the cache and closes the socket.
   */
  async signOut(): Promise<void> {
    // Marked first: if the refresh below is refused it signs out too, and that is this sign-out.
    this.signedOut = 'forgotten';
    const token = await this.accessToken();
    if (token) {
      const result = await authClient.mutation(SignOutDocument, {}, { fetchOptions: { headers: { Authorization: `Bearer ${token}` } } }).toPromise();
      if (result.data?.signOut) this.signedOut = 'ended';
    }
    this.set(null);
  }

  set(session: Session | null): void {
    this.session = session;
    if (session) sessionStorage.setItem(STORAGE_KEY, JSON.stringify(session));
    else sessionStorage.removeItem(STORAGE_KEY);
    for (const listener of this.listeners) listener();
  }

  /** An access token good for at least another minute, refreshing first when needed. */
  async accessToken(): Promise<string | null> {
    const session = this.session;
    if (!session) return null;
    if (Date.parse(session.accessTokenExpiresAt) - Date.now() > EARLY_REFRESH_MS) return session.accessToken;
    return (await this.refresh())?.accessToken ?? null;
  }

  /** Trades the refresh token for a new pair; a refused one signs out. One call at a time. */
  refresh(): Promise<Session | null> {
    this.refreshing ??= this.doRefresh().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async doRefresh(): Promise<Session | null> {
    const refreshToken = this.session?.refreshToken;
    if (!refreshToken) return null;
    const result = await authClient.mutation(RefreshSessionDocument, { refreshToken }).toPromise();
    if (result.data) {
      this.set(result.data.refreshSession);
      return result.data.refreshSession;
    }
    // A network hiccup keeps the session for a later try; a refused token ends it.
    if (codeOf(result.error) === 'UNAUTHENTICATED') this.set(null);
    return null;
  }
}

export const sessions = new SessionStore();
