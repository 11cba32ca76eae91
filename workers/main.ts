import 'reflect-metadata';
import { loadConfigOrExit } from '../server/config.js';
import { createLogger } from '../server/infra/logger.js';
import { startWorker, type RunningWorker } from './worker.js';

/** The worker process: outbox relay, BullMQ processors and repeatable maintenance jobs. */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const log = createLogger(config.logLevel, 'worker');

  // Handlers go in before the worker starts: a signal during start-up must still drain, not kill.
  const running: { worker?: RunningWorker } = {};
  let requested: string | undefined;
  const finish = (worker: RunningWorker, signal: string) => {
    log.info({ signal }, 'finishing jobs in flight before exit');
    worker.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  const shutdown = (signal: string) => {
    if (requested) {
      // A second signal means "now": whatever is in flight is retried by BullMQ after its lock expires.
      log.warn({ signal }, 'second signal: exiting without waiting for jobs in flight');
      process.exit(1);
    }
    requested = signal;
    if (running.worker) finish(running.worker, signal);
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  running.worker = await startWorker(config, log);
  if (requested) finish(running.worker, requested);
}

main().catch((error: unknown) => {
  process.stderr.write(`musicverse: worker failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
