import { ValidationError } from 'class-validator';
import { buildSchema, execute, GraphQLError, parse, type GraphQLFormattedError } from 'graphql';
import { ArgumentValidationError, AuthorizationError } from 'type-graphql';
import { describe, expect, it } from 'vitest';
import {
  BadUserInputError,
  ConflictError,
  DomainError,
  ERROR_CODES,
  ForbiddenError,
  NotFoundError,
  RateLimitedError,
  UnauthenticatedError,
  type ErrorCode,
} from '../../../server/core/errors.js';
import { createFormatError } from '../../../server/graphql/format-error.js';
import { withRequestId } from '../../../server/infra/logger.js';
import { captureLogs } from '../../support/log-capture.js';

/**
 * createFormatError sees errors the way Apollo hands them over: graphql-js wraps what a resolver
 * throws, so each case throws from a real resolver and formats the executed result's error.
 */
const schema = buildSchema('type Query { fail: String }');

async function thrownBy(error: unknown): Promise<GraphQLError> {
  const result = await execute({
    schema,
    document: parse('{ fail }'),
    rootValue: {
      fail: () => {
        throw error;
      },
    },
  });
  const first = result.errors?.[0];
  if (!first) throw new Error('the resolver did not fail');
  return first;
}

function format(error: GraphQLError, level = 'error') {
  const logs = captureLogs(level);
  const formatted = createFormatError(logs.log)(error.toJSON(), error);
  return { formatted, logs };
}

describe('DomainError', () => {
  const cases: Array<[ErrorCode, DomainError, Record<string, unknown>]> = [
    ['UNAUTHENTICATED', new UnauthenticatedError(), {}],
    ['FORBIDDEN', new ForbiddenError('This API key lacks the scope "tracks:read"'), {}],
    ['NOT_FOUND', new NotFoundError('Track'), {}],
    ['BAD_USER_INPUT', new BadUserInputError('Name is too long', 'name'), { field: 'name' }],
    ['INSUFFICIENT_CREDITS', new DomainError('INSUFFICIENT_CREDITS', 'Needs 10 credits, 3 available'), {}],
    ['CONFLICT', new ConflictError('The hold was already committed'), {}],
    ['RATE_LIMITED', new RateLimitedError(30), { retryAfter: 30 }],
    ['FEATURE_NOT_IN_TIER', new DomainError('FEATURE_NOT_IN_TIER', 'Stems need Pro', { upgrade: 'PRO' }), { upgrade: 'PRO' }],
    ['IDEMPOTENCY_KEY_REUSED', new DomainError('IDEMPOTENCY_KEY_REUSED', 'Key used for another request', { field: 'idempotencyKey' }), { field: 'idempotencyKey' }],
    ['INTERNAL', new DomainError('INTERNAL', 'The provider is unavailable; try again later'), {}],
  ];

  it('covers every documented code', () => {
    expect(cases.map(([code]) => code).sort()).toEqual([...ERROR_CODES].sort());
  });

  it.each(cases)('maps %s with its message, path and details, and logs nothing', async (code, error, details) => {
    const { formatted, logs } = format(await thrownBy(error));
    expect(formatted).toEqual({ message: error.message, locations: [{ line: 1, column: 3 }], path: ['fail'], extensions: { code, ...details } });
    expect(logs.lines()).toEqual([]);
  });

  it('leaves out details that are not set', async () => {
    const { formatted } = format(await thrownBy(new BadUserInputError('Bad value')));
    expect(formatted.extensions).toEqual({ code: 'BAD_USER_INPUT' });
  });
});

describe('library errors', () => {
  it('maps a class-validator failure to BAD_USER_INPUT naming the field, without echoing the value', async () => {
    const failure = Object.assign(new ValidationError(), {
      property: 'name',
      value: 'secret-looking value',
      target: { name: 'secret-looking value' },
      constraints: { maxLength: 'name must be shorter than or equal to 80 characters' },
    });
    const { formatted } = format(await thrownBy(new ArgumentValidationError([failure])));
    expect(formatted.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'name' });
    expect(formatted.message).toBe('Invalid name: name must be shorter than or equal to 80 characters');
    expect(JSON.stringify(formatted)).not.toContain('secret-looking');
  });

  it("maps type-graphql's AuthorizationError (UNAUTHORIZED) to FORBIDDEN", async () => {
    const { formatted } = format(await thrownBy(new AuthorizationError()));
    expect(formatted.extensions?.code).toBe('FORBIDDEN');
  });

  it.each(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_REQUEST', 'OPERATION_RESOLUTION_FAILURE', 'PERSISTED_QUERY_NOT_FOUND'])(
    "maps Apollo's request error %s to BAD_USER_INPUT without stack or HTTP details",
    (code) => {
      const error = new GraphQLError('Syntax Error: Unexpected "}"', { extensions: { code, stacktrace: ['at x'], http: { status: 400 } } });
      const { formatted } = format(error);
      expect(formatted).toEqual({ message: 'Syntax Error: Unexpected "}"', extensions: { code: 'BAD_USER_INPUT' } });
    },
  );

  it('keeps a code of ours set on a plain GraphQLError, and its other safe extensions', () => {
    const error = new GraphQLError('Query depth 9 exceeds the maximum depth of 8', { extensions: { code: 'BAD_USER_INPUT', limit: 8, actual: 9, http: { status: 400 } } });
    expect(format(error).formatted.extensions).toEqual({ code: 'BAD_USER_INPUT', limit: 8, actual: 9 });
  });

  it('treats a code-less error graphql-js raises before execution as the caller\'s (BAD_USER_INPUT)', () => {
    const error = new GraphQLError('Variable "$id" got invalid value 5');
    expect(format(error).formatted).toEqual({ message: 'Variable "$id" got invalid value 5', extensions: { code: 'BAD_USER_INPUT' } });
  });
});

describe('unexpected errors', () => {
  it('masks an exception as INTERNAL with no message, stack or detail, and logs it with the request id', async () => {
    const error = await thrownBy(new TypeError("Cannot read properties of undefined (reading 'password=hunter2')"));
    const logs = captureLogs('error');
    const formatted = withRequestId('req-internal-0001', () => createFormatError(logs.log)(error.toJSON(), error));
    expect(formatted).toEqual({ message: 'Internal server error', locations: [{ line: 1, column: 3 }], path: ['fail'], extensions: { code: 'INTERNAL' } });
    const [line, ...others] = logs.lines();
    expect(others).toEqual([]);
    expect(line).toMatchObject({ level: 50, msg: 'internal error', requestId: 'req-internal-0001', path: ['fail'] });
    expect((line?.err as { message: string; stack: string }).stack).toMatch(/TypeError/);
  });

  it('masks a GraphQLError carrying a code outside the documented list', async () => {
    const error = new GraphQLError('Context creation failed: connect ECONNREFUSED 10.0.0.5:5432', {
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
      originalError: new Error('connect ECONNREFUSED 10.0.0.5:5432'),
    });
    const { formatted, logs } = format(error);
    expect(formatted).toEqual({ message: 'Internal server error', extensions: { code: 'INTERNAL' } });
    expect(logs.lines()).toHaveLength(1);
  });

  it('masks a non-Error value thrown by a resolver', async () => {
    const { formatted } = format(await thrownBy('a string'));
    expect(formatted.extensions).toEqual({ code: 'INTERNAL' });
    expect(formatted.message).toBe('Internal server error');
  });

  it('answers only documented codes whatever it is given', async () => {
    const inputs: GraphQLError[] = [
      await thrownBy(new Error('x')),
      await thrownBy(new NotFoundError('Job')),
      new GraphQLError('y', { extensions: { code: 'SOMETHING_ELSE' } }),
      new GraphQLError('z', { extensions: { code: 'UNAUTHENTICATED' } }),
    ];
    const codes = inputs.map((e) => (format(e).formatted as GraphQLFormattedError).extensions?.code);
    for (const code of codes) expect(ERROR_CODES).toContain(code);
  });
});
