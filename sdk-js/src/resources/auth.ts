import type { RequestOptions } from '../core/options.js';
import { AuthenticateTelegramDocument, DevSignInDocument, RefreshSessionDocument, SignOutDocument, type AuthPayloadFieldsFragment, type DevSignInInput } from '../generated/graphql.js';
import { APIResource } from './resource.js';

/** A session: access and refresh tokens and the user. */
export type AuthPayload = AuthPayloadFieldsFragment;

/**
 * Sessions. Sign in on a client without credentials, then make a client with
 * `{ accessToken }`; refresh before accessTokenExpiresAt.
 */
export class Auth extends APIResource {
  /** Signs in with a Mini App's `Telegram.WebApp.initData`, passed unchanged. */
  async authenticateTelegram(initData: string, options?: RequestOptions): Promise<AuthPayload> {
    return (await this.client.request(AuthenticateTelegramDocument, { initData }, options)).authenticateTelegram;
  }

  /** Trades a refresh token for a new session (the old refresh token stops working). */
  async refreshSession(refreshToken: string, options?: RequestOptions): Promise<AuthPayload> {
    return (await this.client.request(RefreshSessionDocument, { refreshToken }, options)).refreshSession;
  }

  /** Local development only (a server with DEV_LOGIN=1): signs in as any Telegram id. */
  async devSignIn(input: DevSignInInput, options?: RequestOptions): Promise<AuthPayload> {
    return (await this.client.request(DevSignInDocument, { input }, options)).devSignIn;
  }

  /** Ends the client's session. */
  async signOut(options?: RequestOptions): Promise<boolean> {
    return (await this.client.request(SignOutDocument, {}, options)).signOut;
  }
}
