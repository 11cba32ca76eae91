import 'reflect-metadata';
import { ConfigError, loadConfig, type Config } from './config.js';
import { startApi } from './app.js';
import { createLogger } from './infra/logger.js';

/** The API process: GraphQL over HTTP and WebSocket, Playground, health and metrics. */
async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`musicverse: bad configuration: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const log = createLogger(config.logLevel, 'api');
  const api = await startApi(config, log);
  log.info({ url: api.url }, `API ready: Playground at ${config.publicUrl}/graphql`);

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'draining connections before exit');
    api.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(`musicverse: API failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
