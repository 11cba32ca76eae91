import type { GatewayExecutor, GatewayInterface } from '@apollo/server-gateway-interface';
import {
  GraphQLError,
  TypeInfo,
  execute,
  getNamedType,
  isAbstractType,
  printSchema,
  visit,
  visitWithTypeInfo,
  BREAK,
  type DocumentNode,
  type GraphQLSchema,
  type SourceLocation,
} from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';

/** The mark of an operation run once and not compiled yet. */
const SEEN_ONCE = 'seen once';

/**
 * Runs HTTP operations through graphql-jit: each distinct operation is compiled once into a plain
 * function that walks its selection set directly, instead of graphql-js interpreting the document
 * field by field on every request (most of the cost of a list page). Apollo still parses,
 * validates and runs every plugin; only execution changes.
 *
 * graphql-jit is used only where it answers exactly as graphql-js does: operations that touch
 * no interface or union (it refuses an object of a type the query has no fragment for, where
 * graphql-js answers `{}`), and that compile (a missing operation name keeps graphql-js's
 * message). Everything else runs on graphql-js, as the WebSocket endpoint always does.
 *
 * Apollo's extension point for a custom executor is its gateway interface: a "gateway" that
 * serves our own schema and executes with the compiled plan.
 */
export function compiledExecution(schema: GraphQLSchema): GatewayInterface {
  // Apollo keeps one parsed DocumentNode per distinct query text (its document store), so a hot
  // query finds its plan here by identity; unused plans go with their documents. null: run it
  // on graphql-js. An operation is compiled on its second run only, so that one-off documents
  // (or a flood of distinct ones) never pay for compiling.
  const plans = new WeakMap<DocumentNode, Map<string, CompiledQuery | null | typeof SEEN_ONCE>>();

  const planFor = (document: DocumentNode, operationName: string | null): CompiledQuery | null => {
    let byName = plans.get(document);
    if (!byName) plans.set(document, (byName = new Map()));
    const name = operationName ?? '';
    const known = byName.get(name);
    if (known === undefined) {
      byName.set(name, SEEN_ONCE);
      return null;
    }
    if (known !== SEEN_ONCE) return known;
    const compiled = touchesAbstractTypes(schema, document) ? null : compileQuery(schema, document, operationName ?? undefined);
    const plan = compiled && isCompiledQuery(compiled) ? compiled : null;
    byName.set(name, plan);
    return plan;
  };

  const executor: GatewayExecutor = async (request) => {
    const variables = request.request.variables ?? {};
    const plan = request.operation ? planFor(request.document, request.operationName) : null;
    if (!plan) {
      return execute({ schema, document: request.document, contextValue: request.context, variableValues: variables, operationName: request.request.operationName });
    }
    const result = await plan.query(undefined, request.context, variables);
    return result.errors ? { ...result, errors: result.errors.map(asGraphQLError) } : result;
  };

  return {
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: printSchema(schema) });
      return () => undefined;
    },
    async load() {
      return { executor };
    },
    async stop() {},
  };
}

/** Whether any field of the document (fragments included) returns an interface or a union. */
function touchesAbstractTypes(schema: GraphQLSchema, document: DocumentNode): boolean {
  const typeInfo = new TypeInfo(schema);
  let abstract = false;
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field() {
        const type = typeInfo.getType();
        if (type && isAbstractType(getNamedType(type))) {
          abstract = true;
          return BREAK;
        }
        return undefined;
      },
    }),
  );
  return abstract;
}

/** The fields of graphql-jit's own error type (it is not graphql-js's class). */
interface JitError {
  message: string;
  path?: ReadonlyArray<string | number>;
  locations?: readonly SourceLocation[];
  originalError?: Error | null;
  extensions?: Record<string, unknown>;
}

/**
 * graphql-jit reports errors with its own error type; the rest of the server (Apollo's
 * unwrapping, our formatError) knows graphql-js's. Same message, path, locations and cause.
 */
function asGraphQLError(reported: GraphQLError): GraphQLError {
  // jit's errors pass `instanceof GraphQLError` (it borrows the prototype) but lack its fields.
  if (reported.constructor === GraphQLError) return reported;
  const error: JitError = reported;
  const converted = new GraphQLError(error.message, { path: error.path, originalError: error.originalError ?? undefined, extensions: error.extensions });
  (converted as { locations: readonly SourceLocation[] | undefined }).locations = error.locations;
  return converted;
}
