/**
 * What an API key may do. Sessions (people signed in through Telegram) hold every scope.
 * Resolvers name the scope a field needs with `@Authorized(...)`; server/graphql/auth-checker.ts
 * is the one place that decides.
 */
export const SCOPES = {
  'profile:read': 'Read the signed-in user and their tier',
  'tracks:read': 'List and read tracks and their versions',
  'tracks:write': 'Rename, edit and delete tracks',
  'generate:write': 'Start and cancel generation jobs (spends credits)',
  'jobs:read': 'Read generation jobs and their progress',
  'credits:read': 'Read the credit balance, holds and transactions',
  'credits:hold': 'Place, commit and release credit holds (spends credits)',
  'distributions:read': 'Read distributions to streaming platforms',
  'distributions:write': 'Create and retry distributions',
  'webhooks:read': 'List webhooks and their deliveries',
  'webhooks:write': 'Create, change and delete webhooks',
} as const;

export type Scope = keyof typeof SCOPES;

/**
 * Requirements that are not API-key scopes:
 * - `session`: only a person's session, never an API key (managing keys, connected apps);
 * - `admin`: a session of an admin (ADMIN_TELEGRAM_IDS).
 */
export type Requirement = Scope | 'session' | 'admin';

export function isScope(value: string): value is Scope {
  return Object.hasOwn(SCOPES, value);
}
