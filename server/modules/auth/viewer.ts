import type { UserRole } from '../users/user.entity.js';
import type { Scope } from './scopes.js';

/** How the caller proved who they are. */
export type Credential =
  /** `expiresAt`: when the access token stops working (long-lived sockets close then). */
  | { kind: 'session'; sessionId: string; expiresAt?: Date }
  | { kind: 'api_key'; apiKeyId: string; scopes: ReadonlySet<Scope> };

/** The signed-in caller of one request or one WebSocket connection. */
export interface Viewer {
  userId: string;
  role: UserRole;
  credential: Credential;
}

export function viewerHasScope(viewer: Viewer, scope: Scope): boolean {
  return viewer.credential.kind === 'session' || viewer.credential.scopes.has(scope);
}
