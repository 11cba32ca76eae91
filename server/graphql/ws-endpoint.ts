import { randomUUID } from 'node:crypto';
import type { Server as HttpServer } from 'node:http';
import { GraphQLError, parse, validate, type DocumentNode, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import { CloseCode } from 'graphql-ws';
import { useServer, type Extra } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { Logger } from 'pino';
import type { Metrics } from '../infra/metrics.js';
import { authenticate, credentialsFromPayload, type Authentication } from './authenticate.js';
import type { RequestContext } from './context.js';
import { checkOperationLimits, type OperationLimits } from './operation-limits.js';
import type { Services } from '../services.js';

type ContextFactory = (requestId: string, auth: Authentication) => RequestContext;
type FormatError = (formatted: GraphQLFormattedError, raw: unknown) => GraphQLFormattedError;

export interface WsEndpointOptions {
  httpServer: HttpServer;
  path: string;
  schema: GraphQLSchema;
  services: Services;
  limits: OperationLimits;
  metrics: Metrics;
  log: Logger;
  createContext: ContextFactory;
  formatError: FormatError;
}

type ConnectionState = {
  auth?: Authentication;
};

/** WebSocket close reasons are limited to 123 bytes. */
function closeReason(message: string): string {
  return Buffer.from(message).subarray(0, 120).toString('utf8');
}

/**
 * GraphQL over WebSocket (graphql-transport-ws) on the HTTP server's /graphql path.
 * connection_init carries the same credentials as HTTP headers; refused credentials close the
 * socket with 4403 and the reason. Every operation gets a fresh context and the same limits.
 */
export function startWsEndpoint(options: WsEndpointOptions): { stop: () => Promise<void> } {
  const { schema, services, limits, metrics, createContext, formatError } = options;
  const wsServer = new WebSocketServer({ server: options.httpServer, path: options.path, maxPayload: 1024 * 1024 });
  wsServer.on('connection', (socket) => {
    metrics.activeSockets.inc();
    socket.once('close', () => metrics.activeSockets.dec());
  });
  const format = (errors: readonly GraphQLError[]) => errors.map((e) => formatError(e.toJSON(), e));

  const cleanup = useServer<Record<string, unknown>, ConnectionState>(
    {
      schema,
      onConnect: async (ctx) => {
        const auth = await authenticate(services, credentialsFromPayload(ctx.connectionParams));
        if (auth.authError) {
          ctx.extra.socket.close(CloseCode.Forbidden, closeReason(auth.authError.message));
          return false;
        }
        (ctx.extra as Extra & ConnectionState).auth = auth;
        return true;
      },
      onSubscribe: (ctx, _id, payload) => {
        let document: DocumentNode;
        try {
          document = parse(payload.query);
        } catch (error) {
          return [error instanceof GraphQLError ? error : new GraphQLError('Query could not be parsed')];
        }
        const invalid = validate(schema, document);
        if (invalid.length > 0) return invalid;
        try {
          checkOperationLimits(schema, document, payload.operationName, payload.variables ?? undefined, limits);
        } catch (error) {
          if (error instanceof GraphQLError) return [error];
          throw error;
        }
        const auth = (ctx.extra as Extra & ConnectionState).auth ?? { viewer: null, authError: null };
        return {
          schema,
          document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          contextValue: createContext(randomUUID(), auth),
        };
      },
      onError: (_ctx, _id, _payload, errors) => format(errors),
      onNext: (_ctx, _id, _payload, _args, result) => {
        if (!result.errors) return undefined;
        return { ...result, errors: format(result.errors) };
      },
    },
    wsServer,
  );

  return {
    stop: async () => {
      await cleanup.dispose();
      await new Promise<void>((resolve) => wsServer.close(() => resolve()));
    },
  };
}
