import 'reflect-metadata';
import { execute, parse, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { Authorized, buildSchema, Query, Resolver } from 'type-graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import { DomainError, UnauthenticatedError } from '../../../server/core/errors.js';
import { authChecker } from '../../../server/graphql/auth-checker.js';
import type { RequestContext } from '../../../server/graphql/context.js';
import type { Requirement, Scope } from '../../../server/modules/auth/scopes.js';
import type { Viewer } from '../../../server/modules/auth/viewer.js';
import { UserRole } from '../../../server/modules/users/user.entity.js';

/**
 * A resolver that exists only here: one field per kind of requirement. The decorators are
 * applied by hand because Vite transforms decorator syntax only in files the root tsconfig
 * includes (server/), not in tests.
 */
class GuardedResolver {
  open(): string {
    return 'open';
  }
  anyViewer(): string {
    return 'anyViewer';
  }
  holdCredits(): string {
    return 'holdCredits';
  }
  editTracks(): string {
    return 'editTracks';
  }
  sessionOnly(): string {
    return 'sessionOnly';
  }
  adminOnly(): string {
    return 'adminOnly';
  }
  misspelt(): string {
    return 'misspelt';
  }
}
const GUARDS: Record<string, Requirement[] | null> = {
  open: null,
  anyViewer: [],
  holdCredits: ['credits:hold'],
  editTracks: ['tracks:read', 'tracks:write'],
  sessionOnly: ['session'],
  adminOnly: ['admin'],
  misspelt: ['credits:hld' as Requirement],
};
for (const [field, requirements] of Object.entries(GUARDS)) {
  const prototype = GuardedResolver.prototype;
  const descriptor = Object.getOwnPropertyDescriptor(prototype, field)!;
  Query(() => String)(prototype, field, descriptor);
  if (requirements) Authorized(...requirements)(prototype, field, descriptor);
}
Resolver()(GuardedResolver);

let schema: GraphQLSchema;
beforeAll(async () => {
  schema = await buildSchema({ resolvers: [GuardedResolver], authChecker, authMode: 'error', validate: false });
});

const session = (role = UserRole.USER): Viewer => ({ userId: 'u1', role, credential: { kind: 'session', sessionId: 's1' } });
const apiKey = (scopes: Scope[], role = UserRole.USER): Viewer => ({ userId: 'u1', role, credential: { kind: 'api_key', apiKeyId: 'k1', scopes: new Set(scopes) } });

/** Runs `{ field }` as `viewer` (or with refused credentials) and reports the outcome. */
async function run(field: string, viewer: Viewer | null, authError: DomainError | null = null): Promise<{ data?: string; code?: string; message?: string }> {
  const contextValue = { viewer, authError } as Partial<RequestContext>;
  const result = (await execute({ schema, document: parse(`{ ${field} }`), contextValue })) as ExecutionResult<Record<string, string>>;
  const error = result.errors?.[0];
  if (!error) return { data: result.data?.[field] };
  const original = error.originalError;
  return { code: original instanceof DomainError ? original.code : 'NOT_A_DOMAIN_ERROR', message: original?.message };
}

describe('authChecker', () => {
  it('lets anyone read an unguarded field', async () => {
    expect(await run('open', null)).toEqual({ data: 'open' });
  });

  it('answers UNAUTHENTICATED on a guarded field when no credentials came', async () => {
    for (const field of ['anyViewer', 'holdCredits', 'sessionOnly', 'adminOnly']) {
      expect(await run(field, null)).toMatchObject({ code: 'UNAUTHENTICATED', message: expect.stringMatching(/Sign in first/) });
    }
  });

  it('answers with the reason the credentials were refused, not a generic sign-in message', async () => {
    const refused = new UnauthenticatedError('API key was revoked; create a new one in Developer settings');
    expect(await run('holdCredits', null, refused)).toEqual({ code: 'UNAUTHENTICATED', message: refused.message });
    expect(await run('open', null, refused)).toEqual({ data: 'open' });
  });

  it('gives a session every scope', async () => {
    expect(await run('holdCredits', session())).toEqual({ data: 'holdCredits' });
    expect(await run('editTracks', session())).toEqual({ data: 'editTracks' });
  });

  it('lets an API key through when it holds the scope', async () => {
    expect(await run('holdCredits', apiKey(['credits:hold']))).toEqual({ data: 'holdCredits' });
    expect(await run('anyViewer', apiKey(['tracks:read']))).toEqual({ data: 'anyViewer' });
  });

  it('refuses an API key without the scope with FORBIDDEN naming the scope', async () => {
    expect(await run('holdCredits', apiKey(['tracks:read']))).toEqual({
      code: 'FORBIDDEN',
      message: expect.stringContaining('"credits:hold"'),
    });
  });

  it('needs every listed scope, not one of them', async () => {
    expect(await run('editTracks', apiKey(['tracks:read']))).toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('"tracks:write"') });
    expect(await run('editTracks', apiKey(['tracks:write']))).toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('"tracks:read"') });
    expect(await run('editTracks', apiKey(['tracks:read', 'tracks:write']))).toEqual({ data: 'editTracks' });
  });

  it("refuses a 'session' field to every API key, whatever its scopes", async () => {
    expect(await run('sessionOnly', session())).toEqual({ data: 'sessionOnly' });
    const allScopes: Scope[] = ['profile:read', 'tracks:read', 'tracks:write', 'credits:hold', 'webhooks:write'];
    expect(await run('sessionOnly', apiKey(allScopes))).toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(/API keys cannot/) });
  });

  it("lets only an admin's session through an 'admin' field", async () => {
    expect(await run('adminOnly', session(UserRole.ADMIN))).toEqual({ data: 'adminOnly' });
    expect(await run('adminOnly', session(UserRole.USER))).toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(/admin/) });
    // An admin's API key does not carry admin power: keys leak more easily than sessions.
    expect(await run('adminOnly', apiKey(['credits:hold'], UserRole.ADMIN))).toMatchObject({ code: 'FORBIDDEN' });
  });

  it('fails closed on a requirement it does not know, even for a session', async () => {
    const answer = await run('misspelt', session());
    expect(answer.data).toBeUndefined();
    expect(answer).toMatchObject({ code: 'NOT_A_DOMAIN_ERROR', message: expect.stringContaining('credits:hld') });
  });
});
