import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, defaultFieldResolver, print, visit, type DocumentNode, type GraphQLSchema } from 'graphql';
import type { Logger } from 'pino';
import type { Metrics } from '../infra/metrics.js';
import type { OperationAdmission } from '../modules/rate-limits/rate-limits.http.js';
import type { RequestContext } from './context.js';
import { checkOperationLimits, type OperationLimits } from './operation-limits.js';

/**
 * Refuses subscriptions over HTTP, and operations over the depth or cost limit, before any resolver
 * runs; then, when given, `admit` spends the operation's cost from the caller's rate limit.
 */
export function operationLimitsPlugin(limits: OperationLimits, admit?: OperationAdmission): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operationName, operation, request, schema, contextValue, response }) {
          if (operation?.operation === 'subscription') {
            // graphql-js would run the subscription's resolver once and answer like a query.
            throw new GraphQLError('Subscriptions run over GraphQL over WebSocket (graphql-transport-ws) at /graphql, not over HTTP', {
              extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } },
            });
          }
          const measure = checkOperationLimits(schema as GraphQLSchema, document, operationName, request.variables, limits);
          // Only an operation that will run spends budget.
          if (admit) await admit(contextValue, measure.cost, response.http);
        },
      };
    },
  };
}

/**
 * The document with every string literal replaced, so a trace line never carries a secret a
 * client inlined (e.g. `authenticateTelegram(initData: "...")`). Variables are never logged.
 */
export function printWithoutLiterals(document: DocumentNode): string {
  return print(
    visit(document, {
      StringValue: (node) => ({ ...node, value: '***', block: false }),
    }),
  );
}

/**
 * One debug line per operation (name and type) and, at trace, the document without its
 * literals. The request id comes from the log scope of the request.
 */
export function operationLogPlugin(log: Logger): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, operationName, document }) {
          if (log.isLevelEnabled('debug')) log.debug({ operationName: operationName ?? null, operationType: operation?.operation }, 'graphql operation');
          if (log.isLevelEnabled('trace')) log.trace({ document: printWithoutLiterals(document) }, 'graphql document');
        },
      };
    },
  };
}

/**
 * Times every root field (Query, Mutation, Subscription) by wrapping its resolver once, over HTTP
 * and WebSocket alike. A willResolveField hook would run for every field of every response;
 * this costs nothing below the root.
 */
export function timeRootResolvers(schema: GraphQLSchema, metrics: Metrics): void {
  for (const root of [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]) {
    if (!root) continue;
    for (const field of Object.values(root.getFields())) {
      const resolve = field.resolve ?? defaultFieldResolver;
      const labels = { parent_type: root.name, field: field.name };
      // A resolver that answers synchronously (a subscription event from its payload) stays
      // synchronous: wrapping it in an async function cost a promise per field per event.
      field.resolve = (source, args, context, info) => {
        const stop = metrics.resolverDuration.startTimer(labels);
        let result: unknown;
        try {
          result = resolve(source, args, context, info);
        } catch (error) {
          stop();
          throw error;
        }
        if (result instanceof Promise) return result.finally(stop);
        stop();
        return result;
      };
    }
  }
}

/** Request latency, operations by name and errors by code. */
export function metricsPlugin(metrics: Metrics): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      const stopTimer = metrics.requestDuration.startTimer({ transport: 'http' });
      let operationType = 'unknown';
      return {
        async didResolveOperation({ operation, operationName }) {
          operationType = operation?.operation ?? 'unknown';
          metrics.operations.inc({ operation_name: metrics.operationLabel(operationName), operation_type: operationType });
        },
        async willSendResponse({ response }) {
          if (response.body.kind === 'single') {
            for (const error of response.body.singleResult.errors ?? []) metrics.errors.inc({ code: String(error.extensions?.code ?? 'INTERNAL') });
          }
          stopTimer({ operation_type: operationType });
        },
      };
    },
  };
}
