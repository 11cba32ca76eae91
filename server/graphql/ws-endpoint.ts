import { randomUUID } from 'node:crypto';
import type { Server as HttpServer } from 'node:http';
import { GraphQLError, Kind, parse, validate, type DocumentNode, type GraphQLFormattedError, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { CloseCode } from 'graphql-ws';
import { useServer, type Extra } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from 'pino';
import type { Metrics } from '../infra/metrics.js';
import { withRequestId } from '../infra/logger.js';
import { RevokedApiKeyError } from '../modules/api-keys/api-keys.errors.js';
import { InvalidAccessTokenError } from '../modules/auth/auth.errors.js';
import type { Credential } from '../modules/auth/viewer.js';
import { authenticate, credentialsFromPayload, type Authentication, type Credentials } from './authenticate.js';
import type { RequestContext } from './context.js';
import { checkOperationLimits, type OperationLimits, type OperationMeasure } from './operation-limits.js';
import { rateLimitedError } from '../modules/rate-limits/rate-limits.errors.js';
import type { Services } from '../services.js';
import { clientAddressOf } from '../http/client-address.js';

type ContextFactory = (requestId: string, auth: Authentication, clientAddress: string | null) => RequestContext;
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
  /** What connection_init carried; checked again before every operation. */
  credentials?: Credentials;
};

/** The per-operation context over WebSocket: the request context plus its latency timer. */
type WsOperationContext = RequestContext & { stopTimer?: () => void };

function operationTypeOf(document: DocumentNode, operationName: string | null | undefined): string {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const operation = operationName ? operations.find((o) => o.name?.value === operationName) : operations[0];
  return operation?.operation ?? 'unknown';
}

function countErrors(metrics: Metrics, errors: readonly GraphQLFormattedError[]): void {
  for (const error of errors) metrics.errors.inc({ code: String(error.extensions?.code ?? 'INTERNAL') });
}

/** Closes `socket` with 4403 when `expiresAt` passes (timers are capped at about 24 days). */
function closeAtExpiry(socket: WebSocket, expiresAt: Date): NodeJS.Timeout {
  const delay = Math.min(Math.max(expiresAt.getTime() - Date.now(), 0), 2 ** 31 - 1);
  const timer = setTimeout(() => socket.close(CloseCode.Forbidden, closeReason(new InvalidAccessTokenError('expired').message)), delay);
  timer.unref();
  return timer;
}

/** WebSocket close reasons are limited to 123 bytes. */
function closeReason(message: string): string {
  return Buffer.from(message).subarray(0, 120).toString('utf8');
}

function stateOf(extra: Extra): Extra & ConnectionState {
  return extra as Extra & ConnectionState;
}

/**
 * GraphQL over WebSocket (graphql-transport-ws) on the HTTP server's /graphql path.
 * connection_init carries the same credentials as HTTP headers; refused credentials close the
 * socket with 4403 and the reason. The credentials are checked again before every operation and
 * a socket is closed the moment its session or API key is revoked on any server, so a long-lived
 * connection never outlives its credentials. Every operation gets a fresh context and the same
 * limits as HTTP.
 */
export function startWsEndpoint(options: WsEndpointOptions): { stop: () => Promise<void> } {
  const { schema, services, limits, metrics, log, createContext, formatError } = options;
  const wsServer = new WebSocketServer({ server: options.httpServer, path: options.path, maxPayload: 1024 * 1024 });
  wsServer.on('connection', (socket) => {
    metrics.activeSockets.inc();
    socket.once('close', () => metrics.activeSockets.dec());
  });
  const format = (errors: readonly GraphQLError[]) => errors.map((e) => formatError(e.toJSON(), e));

  /** Open sockets by the credential they were opened with, to close them on revocation. */
  const signedIn = new Map<WebSocket, Credential>();
  const closeWhere = (matches: (credential: Credential) => boolean, reason: string) => {
    for (const [socket, credential] of signedIn) {
      if (matches(credential)) socket.close(CloseCode.Forbidden, closeReason(reason));
    }
  };
  const stopListening = [
    services.revocations.onRevoked((sessionId) =>
      closeWhere((c) => c.kind === 'session' && c.sessionId === sessionId, new InvalidAccessTokenError('revoked').message),
    ),
    services.apiKeys.onRevoked((apiKeyId) => closeWhere((c) => c.kind === 'api_key' && c.apiKeyId === apiKeyId, new RevokedApiKeyError().message)),
  ];

  /**
   * Authenticates, or closes the socket: 4403 with the reason for refused credentials, 4500 with
   * no detail (and a log line) when checking them failed inside the server.
   */
  const authenticateOrClose = async (socket: WebSocket, credentials: Credentials): Promise<Authentication | null> => {
    try {
      const auth = await authenticate(services, credentials);
      if (!auth.authError) return auth;
      socket.close(CloseCode.Forbidden, closeReason(auth.authError.message));
    } catch (error) {
      log.error({ err: error }, 'could not authenticate a WebSocket connection');
      socket.close(CloseCode.InternalServerError, 'Internal server error');
    }
    return null;
  };

  const cleanup = useServer<Record<string, unknown>, ConnectionState>(
    {
      schema,
      onConnect: async (ctx) => {
        const { socket } = ctx.extra;
        const credentials = credentialsFromPayload(ctx.connectionParams);
        const auth = await authenticateOrClose(socket, credentials);
        if (!auth) return false;
        stateOf(ctx.extra).credentials = credentials;
        // A socket that closed while its credentials were checked would never leave the map.
        if (auth.viewer && socket.readyState === socket.OPEN) {
          const credential = auth.viewer.credential;
          signedIn.set(socket, credential);
          // A session's socket ends with its access token; the client reconnects with a fresh one.
          const expiry = credential.kind === 'session' && credential.expiresAt ? closeAtExpiry(socket, credential.expiresAt) : undefined;
          socket.once('close', () => {
            signedIn.delete(socket);
            if (expiry) clearTimeout(expiry);
          });
        }
        return true;
      },
      onSubscribe: async (ctx, _id, payload) => {
        let document: DocumentNode;
        try {
          document = parse(payload.query);
        } catch (error) {
          return [error instanceof GraphQLError ? error : new GraphQLError('Query could not be parsed')];
        }
        const invalid = validate(schema, document);
        if (invalid.length > 0) return invalid;
        let measure: OperationMeasure;
        try {
          measure = checkOperationLimits(schema, document, payload.operationName, payload.variables ?? undefined, limits);
        } catch (error) {
          if (error instanceof GraphQLError) return [error];
          throw error;
        }
        // Checked again: the access token may have expired since connection_init.
        const auth = await authenticateOrClose(ctx.extra.socket, stateOf(ctx.extra).credentials ?? {});
        if (!auth) return [new GraphQLError('The connection was closed: its credentials are no longer valid')];
        // Each operation (a subscribe, not the events it later receives) spends the user's budget,
        // or without credentials its client address's, as over HTTP; a refused one gets
        // RATE_LIMITED and the socket stays open.
        const clientAddress = clientAddressOf(ctx.extra.request);
        const admission = services.rateLimits.enabled ? await services.rateLimits.admitCaller({ viewer: auth.viewer, clientAddress }, measure.cost) : undefined;
        if (admission?.outcome === 'refused') return [rateLimitedError(admission.state, admission.retryAfter)];
        const operationType = operationTypeOf(document, payload.operationName);
        metrics.operations.inc({ operation_name: metrics.operationLabel(payload.operationName), operation_type: operationType });
        const requestId = randomUUID();
        // A subscription's lifetime is not a request's latency: only queries and mutations are timed.
        const stopTimer = operationType === 'subscription' ? undefined : metrics.requestDuration.startTimer({ transport: 'ws', operation_type: operationType });
        const contextValue: WsOperationContext = { ...createContext(requestId, auth, clientAddress), stopTimer };
        if (admission?.outcome === 'admitted') services.rateLimits.remember(contextValue, admission.state);
        return {
          schema,
          document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          contextValue,
        };
      },
      onError: (_ctx, _id, _payload, errors) => {
        countErrors(metrics, format(errors));
        return format(errors);
      },
      onNext: (_ctx, _id, _payload, args, result) => {
        const context = args.contextValue as WsOperationContext;
        if (context.stopTimer) {
          context.stopTimer();
          context.stopTimer = undefined;
        }
        if (!result.errors) return undefined;
        // Masked INTERNAL errors are logged with the operation's request id, as over HTTP.
        const errors = withRequestId(context.requestId, () => format(result.errors ?? []));
        countErrors(metrics, errors);
        return { ...result, errors };
      },
    },
    wsServer,
  );

  return {
    stop: async () => {
      for (const stop of stopListening) stop();
      await cleanup.dispose();
      await new Promise<void>((resolve) => wsServer.close(() => resolve()));
    },
  };
}
