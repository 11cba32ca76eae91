import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLSchema } from 'graphql';
import type { Metrics } from '../infra/metrics.js';
import type { RequestContext } from './context.js';
import { checkOperationLimits, type OperationLimits } from './operation-limits.js';

/** Refuses operations over the depth or cost limit before any resolver runs. */
export function operationLimitsPlugin(limits: OperationLimits): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operationName, request, schema }) {
          checkOperationLimits(schema as GraphQLSchema, document, operationName, request.variables, limits);
        },
      };
    },
  };
}

/** Request and root-resolver latency, operations by name and errors by code. */
export function metricsPlugin(metrics: Metrics): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      const stopTimer = metrics.requestDuration.startTimer({ transport: 'http' });
      let operationType = 'unknown';
      return {
        async didResolveOperation({ operation, operationName }) {
          operationType = operation?.operation ?? 'unknown';
          metrics.operations.inc({ operation_name: operationName ?? 'anonymous', operation_type: operationType });
        },
        async executionDidStart() {
          return {
            willResolveField({ info }) {
              if (info.path.prev !== undefined) return undefined;
              const stop = metrics.resolverDuration.startTimer({ parent_type: info.parentType.name, field: info.fieldName });
              return () => {
                stop();
              };
            },
          };
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
