import 'reflect-metadata';
import type { ApiServer } from './app.js';
import { loadConfigOrExit } from './config.js';
import { createLogger } from './infra/logger.js';

/** The API process: GraphQL over HTTP and WebSocket, Playground, health and metrics. */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const log = createLogger(config.logLevel, 'api');

  // Handlers go in before anything is announced: a SIGTERM that arrives between "ready" and
  // their installation would otherwise kill the process with the default action, undrained.
  const running: { api?: ApiServer } = {};
  let requested: NodeJS.Signals | undefined;
  const drain = (server: ApiServer, signal: NodeJS.Signals) => {
    log.info({ signal, delayMs: config.shutdown.delayMs, timeoutMs: config.shutdown.timeoutMs }, 'draining before exit');
    server.stop().then(
      () => {
        log.info('drained; exiting');
        process.exit(0);
      },
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (requested) {
      // A second Ctrl-C means "now": skip the rest of the drain.
      if (signal === 'SIGINT') process.exit(130);
      return;
    }
    requested = signal;
    if (running.api) drain(running.api, signal);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  // Loaded after the configuration is known good: a bad setting answers in milliseconds.
  const { startApi } = await import('./app.js');
  const api = await startApi(config, log);
  running.api = api;
  if (requested) return drain(api, requested);
  log.info({ url: api.url }, `API ready: Playground at ${config.publicUrl}/graphql`);
}

main().catch((error: unknown) => {
  process.stderr.write(`musicverse: API failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
