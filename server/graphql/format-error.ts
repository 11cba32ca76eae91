import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { ArgumentValidationError } from 'type-graphql';
import type { Logger } from 'pino';
import { DomainError, type ErrorCode } from '../core/errors.js';
import { currentRequestId } from '../infra/logger.js';

/** Codes graphql-js and Apollo produce before execution; all are the caller's to fix. */
const REQUEST_ERROR_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);

/** Codes of other libraries that mean one of ours (type-graphql's AuthorizationError). */
const ALIASED_CODES: Record<string, ErrorCode> = { UNAUTHORIZED: 'FORBIDDEN' };

/** Extensions we set ourselves and trust to be safe to show. */
const OUR_CODES = new Set<string>(['UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND', 'BAD_USER_INPUT', 'INSUFFICIENT_CREDITS', 'CONFLICT', 'RATE_LIMITED', 'FEATURE_NOT_IN_TIER', 'IDEMPOTENCY_KEY_REUSED']);

function fromDomain(formatted: GraphQLFormattedError, error: DomainError): GraphQLFormattedError {
  const extensions: Record<string, unknown> = { code: error.code };
  for (const [key, value] of Object.entries(error.details)) if (value !== undefined) extensions[key] = value;
  return { message: error.message, locations: formatted.locations, path: formatted.path, extensions };
}

/**
 * Maps every error to one of the documented codes. DomainErrors keep their message and
 * details; request errors become BAD_USER_INPUT; anything else is logged with the request id
 * and answered as INTERNAL with no detail.
 */
export function createFormatError(log: Logger) {
  return (formatted: GraphQLFormattedError, raw: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(raw);
    if (original instanceof DomainError) return fromDomain(formatted, original);
    if (original instanceof ArgumentValidationError) {
      // Name the first failed field and its rule; the value itself (validationErrors[].target) is not echoed.
      const first = original.extensions.validationErrors?.[0];
      const rule = first?.constraints ? Object.values(first.constraints)[0] : undefined;
      const message = first && rule ? `Invalid ${first.property}: ${rule}` : formatted.message;
      return { message, locations: formatted.locations, path: formatted.path, extensions: { code: 'BAD_USER_INPUT', field: first?.property } };
    }
    const given = String(formatted.extensions?.code ?? '');
    const code = ALIASED_CODES[given] ?? given;
    if (REQUEST_ERROR_CODES.has(code) || OUR_CODES.has(code)) {
      const extensions: Record<string, unknown> = { ...formatted.extensions, code: OUR_CODES.has(code) ? code : 'BAD_USER_INPUT' };
      delete extensions.stacktrace;
      delete extensions.http;
      return { ...formatted, extensions };
    }
    if (original instanceof GraphQLError && original.originalError === undefined && formatted.path === undefined) {
      // Errors graphql-js raises itself (e.g. a bad variable value) carry no code but are the caller's.
      return { message: formatted.message, locations: formatted.locations, extensions: { code: 'BAD_USER_INPUT' } };
    }
    log.error({ err: original, requestId: currentRequestId(), path: formatted.path }, 'internal error');
    return { message: 'Internal server error', locations: formatted.locations, path: formatted.path, extensions: { code: 'INTERNAL' } };
  };
}
