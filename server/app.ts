import 'reflect-metadata';
import { createServer, type IncomingMessage, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import express from 'express';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { openDatabase, pendingMigrations } from './infra/database/database.js';
import { createLogger } from './infra/logger.js';
import { Metrics } from './infra/metrics.js';
import { Broadcast } from './infra/pubsub/broadcast.js';
import { createRedis } from './infra/redis/redis.js';
import { authenticate, type Authentication } from './graphql/authenticate.js';
import type { RequestContext } from './graphql/context.js';
import { compiledExecution } from './graphql/compiled-execution.js';
import { createFormatError } from './graphql/format-error.js';
import { createLoaders } from './graphql/loaders.js';
import { metricsPlugin, timeRootResolvers, operationLimitsPlugin, operationLogPlugin } from './graphql/plugins.js';
import { createSchema } from './graphql/schema.js';
import { startWsEndpoint } from './graphql/ws-endpoint.js';
import { accessLog } from './http/access-log.js';
import { apolloHandler } from './http/apollo-handler.js';
import { clientAddressOf, TRUSTED_PROXIES } from './http/client-address.js';
import { graphqlPost } from './http/graphql-post.js';
import { requestIds, requestScope } from './http/request-id.js';
import { bodyErrors, graphqlBodyGuard, MAX_BODY_BYTES, notFound } from './http/graphql-request.js';
import { operationsRouter } from './http/health.js';
import { playground } from './http/playground.js';
import { cors } from './http/cors.js';
import { filesRouter } from './http/files.js';
import { miniAppRouter } from './http/mini-app.js';
import { createStorage } from './infra/storage/storage.factory.js';
import { registerLedgerMetrics } from './modules/credits/ledger.metrics.js';
import { httpRateLimits } from './modules/rate-limits/rate-limits.http.js';
import { createServices, type Infrastructure, type Services } from './services.js';

export interface ApiServer {
  /** e.g. http://127.0.0.1:4000 */
  url: string;
  httpServer: HttpServer;
  infra: Infrastructure;
  services: Services;
  /**
   * Graceful stop: /readyz answers 503 "draining" for config.shutdown.delayMs while traffic is
   * still served, then the listener closes, WebSockets close with 1001, in-flight requests get
   * up to config.shutdown.timeoutMs, and the connections to PostgreSQL and Redis are closed.
   */
  stop: () => Promise<void>;
}

const GRAPHQL_PATH = '/graphql';

/**
 * Redis going away must not take the process down: ioredis reconnects by itself, /readyz
 * reports it meanwhile, and the outage is logged once rather than on every retry.
 */
function watchRedis(connection: Redis, role: string, log: Logger): void {
  let down = false;
  connection.on('error', (error: Error) => {
    if (down) return;
    down = true;
    log.warn({ err: error, role }, 'Redis connection lost; reconnecting');
  });
  connection.on('ready', () => {
    if (!down) return;
    down = false;
    log.info({ role }, 'Redis connection restored');
  });
}

/** quit() would sit in the offline queue while Redis is away; a dead connection is just dropped. */
async function closeRedis(connection: Redis): Promise<void> {
  if (connection.status !== 'ready') {
    connection.disconnect();
    return;
  }
  await connection.quit().catch(() => connection.disconnect());
}

/** A header as one string (Node already joins repeats of most headers with ", "). */
function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** host:port of a connection URL, never its credentials. */
function hostOf(url: string, defaultPort: number): string {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port || defaultPort}`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function listen(httpServer: HttpServer, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(port, () => {
      httpServer.off('error', reject);
      resolve();
    });
  });
}

export async function startApi(config: Config, log: Logger = createLogger(config.logLevel, 'api')): Promise<ApiServer> {
  const orm = await openDatabase(config.databaseUrl).catch((error: unknown) => {
    throw new Error(`could not open the database at ${hostOf(config.databaseUrl, 5432)}: ${messageOf(error)}; check that PostgreSQL runs and DATABASE_URL`);
  });
  const pending = await pendingMigrations(orm);
  if (pending.length > 0) {
    await orm.close();
    throw new Error(`database has ${pending.length} pending migration(s); run "npm run db:migrate" first`);
  }
  const redis = createRedis(config.redisUrl, config.redisPrefix);
  const subscriber = createRedis(config.redisUrl, config.redisPrefix);
  watchRedis(redis, 'commands', log);
  watchRedis(subscriber, 'subscriber', log);
  // Redis must answer at start (later outages are survived): say so plainly rather than with
  // ioredis's "max retries per request" once its offline queue gives up.
  try {
    await redis.ping();
  } catch {
    await Promise.allSettled([orm.close(), closeRedis(redis), closeRedis(subscriber)]);
    throw new Error(`Redis at ${hostOf(config.redisUrl, 6379)} does not answer; start it or set REDIS_URL`);
  }
  const broadcast = new Broadcast(redis, subscriber, config.redisPrefix, log);
  const metrics = new Metrics('api');
  const infra: Infrastructure = { config, orm, redis, subscriber, broadcast, log, metrics };
  const services = await createServices(infra);
  registerLedgerMetrics(metrics.registry, () => orm.em.fork(), redis);
  const schema = await createSchema();
  timeRootResolvers(schema, metrics);
  const formatError = createFormatError(log);

  const createContext = (requestId: string, auth: Authentication, clientAddress: string | null = null): RequestContext => {
    const em = orm.em.fork();
    return { requestId, em, ...auth, services, loaders: createLoaders(em), config, log: log.child({ requestId }), clientAddress };
  };

  const contextOf = async (req: IncomingMessage, requestId: string): Promise<RequestContext> => {
    const auth = await authenticate(services, { authorization: req.headers.authorization, apiKey: headerText(req.headers['x-api-key']) });
    return createContext(requestId, auth, clientAddressOf(req));
  };

  const app = express();
  app.disable('x-powered-by');
  // GraphQL answers are per caller and never revalidated; hashing every body for an ETag is waste.
  // (Files set their own validators.)
  app.set('etag', false);
  app.set('trust proxy', TRUSTED_PROXIES);
  // POST /graphql with a plain JSON body skips Express (see graphql-post.ts); set once Apollo runs.
  const direct: { graphqlPost?: ReturnType<typeof graphqlPost<RequestContext>> } = {};
  const httpServer = createServer((req, res) => {
    if (direct.graphqlPost?.takes(req)) direct.graphqlPost.serve(req, res);
    else void app(req, res);
  });
  let draining = false;

  const apollo = new ApolloServer<RequestContext>({
    ...(config.graphqlJit ? { gateway: compiledExecution(schema) } : { schema }),
    formatError,
    introspection: true,
    csrfPrevention: true,
    includeStacktraceInErrorResponses: false,
    // main.ts owns SIGTERM/SIGINT and stops everything in order; Apollo's own handler would
    // race it and leave the process hanging after the drain.
    stopOnTerminationSignals: false,
    logger: log,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: config.shutdown.timeoutMs }),
      ApolloServerPluginLandingPageDisabled(),
      // Cache hints would wrap every field resolver (a per-field hook) for headers we never send.
      ApolloServerPluginCacheControlDisabled(),
      operationLimitsPlugin(config.limits, services.rateLimits.enabled ? httpRateLimits(services.rateLimits) : undefined),
      operationLogPlugin(log),
      metricsPlugin(metrics),
    ],
  });
  await apollo.start();

  app.use(requestIds);
  app.use(accessLog(log));
  // GraphQL first: the busiest path should not walk the other routers' routes on every request.
  app.use(GRAPHQL_PATH, cors);
  app.get(GRAPHQL_PATH, playground(GRAPHQL_PATH));
  app.use(
    GRAPHQL_PATH,
    express.json({ limit: MAX_BODY_BYTES }),
    requestScope,
    graphqlBodyGuard(metrics),
    apolloHandler(apollo, (req, res) => contextOf(req, String(res.locals.requestId))),
  );
  direct.graphqlPost = graphqlPost({ apollo, path: GRAPHQL_PATH, metrics, log, context: contextOf });

  app.use(operationsRouter(orm, redis, metrics, () => draining));
  // Audio and covers, through expiring signed links (TrackVersion.audioUrl); no other credential.
  app.use(filesRouter(await createStorage({ dir: config.storageDir, s3: config.s3 }), config.jwtSecret, metrics));
  // The Telegram Mini App (client/), built by Vite: GET /app and its assets.
  app.use(miniAppRouter(config.miniAppDir));
  app.use(notFound(metrics));
  app.use(bodyErrors(metrics, log));

  try {
    await listen(httpServer, config.port);
  } catch (error) {
    await Promise.allSettled([apollo.stop(), orm.close(), closeRedis(redis), closeRedis(subscriber)]);
    throw error;
  }
  // Attached once listening: the WebSocket server re-emits the HTTP server's errors (EADDRINUSE)
  // as its own, which graphql-ws prints as an "internal error" instead of one clear line.
  const ws = startWsEndpoint({ httpServer, path: GRAPHQL_PATH, schema, services, limits: config.limits, metrics, log, createContext, formatError });
  const { port } = httpServer.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  let stopping: Promise<void> | undefined;
  const drain = async () => {
    draining = true;
    if (config.shutdown.delayMs > 0) await delay(config.shutdown.delayMs);
    // Sockets first (close 1001, clients reconnect elsewhere): the HTTP drain would otherwise
    // cut upgraded sockets as idle connections. A peer that never answers the close does not
    // hold the process past the timeout.
    await Promise.race([ws.stop(), delay(config.shutdown.timeoutMs)]);
    await apollo.stop();
    await Promise.allSettled([orm.close(), closeRedis(redis), closeRedis(subscriber)]);
  };
  const stop = () => (stopping ??= drain());
  return { url, httpServer, infra, services, stop };
}
