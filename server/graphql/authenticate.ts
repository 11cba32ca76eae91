import { DomainError, UnauthenticatedError } from '../core/errors.js';
import { API_KEY_PREFIX } from '../modules/api-keys/api-key-format.js';
import type { Viewer } from '../modules/auth/viewer.js';
import type { Services } from '../services.js';

export interface Credentials {
  authorization?: string | null;
  apiKey?: string | null;
}

export interface Authentication {
  viewer: Viewer | null;
  authError: DomainError | null;
}

/**
 * Turns request credentials into a viewer. Accepted: `Authorization: Bearer <access token>`,
 * `Authorization: Bearer amv_live_...` or `X-API-Key: amv_live_...`. Refused credentials do not
 * fail the request here: public fields still answer, protected ones report why.
 */
export async function authenticate(services: Services, credentials: Credentials): Promise<Authentication> {
  try {
    return { viewer: await viewerOf(services, credentials), authError: null };
  } catch (error) {
    if (error instanceof DomainError) return { viewer: null, authError: error };
    throw error;
  }
}

async function viewerOf(services: Services, { authorization, apiKey }: Credentials): Promise<Viewer | null> {
  if (apiKey) return services.apiKeys.viewerFromKey(apiKey.trim());
  if (!authorization) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (!match) throw new UnauthenticatedError('Authorization must be "Bearer <token>"');
  const token = match[1]!;
  if (token.startsWith(API_KEY_PREFIX)) return services.apiKeys.viewerFromKey(token);
  return services.auth.viewerFromAccessToken(token);
}

/** Reads credentials from a WebSocket connection_init payload (header names, any case). */
export function credentialsFromPayload(payload: Record<string, unknown> | undefined): Credentials {
  const entries = Object.entries(payload ?? {});
  const nested = payload?.headers;
  if (nested && typeof nested === 'object') entries.push(...Object.entries(nested as Record<string, unknown>));
  const find = (name: string): string | null => {
    const hit = entries.find(([key, value]) => key.toLowerCase() === name && typeof value === 'string');
    return hit ? (hit[1] as string) : null;
  };
  return { authorization: find('authorization'), apiKey: find('x-api-key') ?? find('apikey') };
}
