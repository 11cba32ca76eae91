import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { openDatabase, pendingMigrations } from './infra/database/database.js';
import { createLogger, withRequestId } from './infra/logger.js';
import { Metrics } from './infra/metrics.js';
import { Broadcast } from './infra/pubsub/broadcast.js';
import { createRedis } from './infra/redis/redis.js';
import { authenticate, type Authentication } from './graphql/authenticate.js';
import type { RequestContext } from './graphql/context.js';
import { createFormatError } from './graphql/format-error.js';
import { createLoaders } from './graphql/loaders.js';
import { metricsPlugin, operationLimitsPlugin } from './graphql/plugins.js';
import { createSchema } from './graphql/schema.js';
import { startWsEndpoint } from './graphql/ws-endpoint.js';
import { operationsRouter } from './http/health.js';
import { playground } from './http/playground.js';
import { createServices, type Infrastructure, type Services } from './services.js';

export interface ApiServer {
  /** e.g. http://127.0.0.1:4000 */
  url: string;
  httpServer: HttpServer;
  infra: Infrastructure;
  services: Services;
  /** Drains HTTP and WebSocket traffic, then closes connections to PostgreSQL and Redis. */
  stop: () => Promise<void>;
}

const GRAPHQL_PATH = '/graphql';
/** Time given to in-flight requests on shutdown before connections are cut. */
const DRAIN_MS = 10_000;

function requestIdOf(req: Request): string {
  const given = req.header('x-request-id');
  return given && /^[\w-]{8,64}$/.test(given) ? given : randomUUID();
}

/** Every request gets an id, echoed in X-Request-Id and written on each of its log lines. */
function requestIds(req: Request, res: Response, next: NextFunction): void {
  const requestId = requestIdOf(req);
  res.locals.requestId = requestId;
  res.setHeader('X-Request-Id', requestId);
  withRequestId(requestId, next);
}

/** Malformed or oversized bodies answer like any GraphQL request error, not with an HTML page. */
function bodyErrors(error: unknown, _req: Request, res: Response, next: NextFunction): void {
  if (res.headersSent) return next(error);
  const status = typeof error === 'object' && error !== null && 'status' in error ? Number(error.status) : 500;
  const message = status === 413 ? 'Request body is larger than 256 KiB' : status === 400 ? 'Request body is not valid JSON' : 'Internal server error';
  res.status(status).json({ errors: [{ message, extensions: { code: status < 500 ? 'BAD_USER_INPUT' : 'INTERNAL' } }] });
}

export async function startApi(config: Config, log: Logger = createLogger(config.logLevel, 'api')): Promise<ApiServer> {
  const orm = await openDatabase(config.databaseUrl);
  const pending = await pendingMigrations(orm);
  if (pending.length > 0) {
    await orm.close();
    throw new Error(`database has ${pending.length} pending migration(s); run "npm run db:migrate" first`);
  }
  const redis = createRedis(config.redisUrl, config.redisPrefix);
  const subscriber = createRedis(config.redisUrl, config.redisPrefix);
  const broadcast = new Broadcast(redis, subscriber, config.redisPrefix, log);
  const infra: Infrastructure = { config, orm, redis, subscriber, broadcast, log };
  const services = await createServices(infra);
  const schema = await createSchema();
  const metrics = new Metrics('api');
  const formatError = createFormatError(log);

  const createContext = (requestId: string, auth: Authentication): RequestContext => {
    const em = orm.em.fork();
    return { requestId, em, ...auth, services, loaders: createLoaders(em), config, log: log.child({ requestId }) };
  };

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  const httpServer = createServer(app);
  let draining = false;

  const apollo = new ApolloServer<RequestContext>({
    schema,
    formatError,
    introspection: true,
    csrfPrevention: true,
    includeStacktraceInErrorResponses: false,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: DRAIN_MS }),
      ApolloServerPluginLandingPageDisabled(),
      operationLimitsPlugin(config.limits),
      metricsPlugin(metrics),
    ],
  });
  await apollo.start();

  const ws = startWsEndpoint({ httpServer, path: GRAPHQL_PATH, schema, services, limits: config.limits, metrics, log, createContext, formatError });

  app.use(requestIds);
  app.use(operationsRouter(orm, redis, metrics, () => draining));
  app.get(GRAPHQL_PATH, playground(GRAPHQL_PATH));
  app.use(
    GRAPHQL_PATH,
    express.json({ limit: '256kb' }),
    expressMiddleware(apollo, {
      context: async ({ req, res }) => {
        const auth = await authenticate(services, { authorization: req.header('authorization'), apiKey: req.header('x-api-key') });
        return createContext(String(res.locals.requestId), auth);
      },
    }),
  );

  app.use(bodyErrors);

  await new Promise<void>((resolve) => httpServer.listen(config.port, resolve));
  const { port } = httpServer.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  const stop = async () => {
    draining = true;
    await ws.stop();
    await apollo.stop();
    await Promise.allSettled([orm.close(), redis.quit(), subscriber.quit()]);
  };
  return { url, httpServer, infra, services, stop };
}
