import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig, type Config } from '../server/config.js';
import { seedDemoCatalog } from './start/demo-catalog.seed.js';
import { launchPostgres, probePostgres, type Launch, type Probe } from './start/postgres.launcher.js';
import { killAll, spawnNode, stopAll, stoppedCleanly, type Child, type ChildExit } from './start/process.supervisor.js';
import { launchRedis, probeRedis } from './start/redis.launcher.js';
import { complain, say } from './start/start.output.js';
import { redactUrl, waitUntil } from './start/system.helpers.js';

/**
 * `npm start`: makes PostgreSQL and Redis answer (starting local ones when it can), creates and
 * migrates the database, then runs the API and one worker until Ctrl-C or SIGTERM.
 */

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DATA_DIR = join(ROOT, '.data');
const API_SCRIPT = join(ROOT, 'dist', 'server', 'main.js');
const WORKER_SCRIPT = join(ROOT, 'dist', 'workers', 'main.js');
/** Added to the API's own drain time (SHUTDOWN_DELAY_MS + SHUTDOWN_TIMEOUT_MS) before a kill. */
const STOP_MARGIN_MS = 20_000;
const READY_TIMEOUT_MS = 60_000;
const DUPLICATE_SIGNAL_MS = 1_000;

/**
 * Local defaults, unless set or in production, and the user is told: DEV_LOGIN is on, and
 * webhooks may be delivered to a receiver on this machine.
 */
function startEnvironment(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  if (env.NODE_ENV === 'production') return env;
  if (env.DEV_LOGIN === undefined) {
    env.DEV_LOGIN = '1';
    say('DEV_LOGIN=1 by default for local use: devSignIn is available (set DEV_LOGIN=0 to turn it off)');
  }
  if (env.WEBHOOK_ALLOWED_HOSTS === undefined) {
    env.WEBHOOK_ALLOWED_HOSTS = '127.0.0.1,localhost';
    say('WEBHOOK_ALLOWED_HOSTS=127.0.0.1,localhost by default for local use: webhooks may point at a receiver on this machine');
  }
  return env;
}

async function ensureService(label: string, variable: string, url: string, probe: (url: string) => Promise<Probe>, launch: (url: string, dataRoot: string) => Promise<Launch>): Promise<void> {
  const first = await probe(url);
  if (first.state === 'up') {
    say(`${label} answers at ${redactUrl(url)}`);
    return;
  }
  if (first.state === 'refused') {
    complain(`${label} at ${redactUrl(url)} answered but refused: ${first.reason}. Check ${variable}.`);
    process.exit(1);
  }
  say(`${label} does not answer at ${redactUrl(url)} (${first.reason}); trying to start a local one`);
  const result = await launch(url, DATA_DIR);
  if (!result.started) {
    complain(`${label} is not available: ${result.why}.${result.command ? ' Start it with:' : ''}`, result.command);
    if (result.command) complain('then run "npm start" again.');
    process.exit(1);
  }
  say(`${label}: ${result.how}`);
}

async function prepareDatabase(config: Config): Promise<void> {
  // Loaded here, not at the top: a missing service is reported before the ORM is even read.
  const { ensureDatabase, migrate, openDatabase } = await import('../server/infra/database/database.js');
  const name = decodeURIComponent(new URL(config.databaseUrl).pathname.slice(1));
  const created = await ensureDatabase(config.databaseUrl);
  const orm = await openDatabase(config.databaseUrl, 2);
  try {
    const applied = await migrate(orm);
    say(`database ${name}: ${created ? 'created, ' : ''}${applied.length ? `applied ${applied.join(', ')}` : 'migrations up to date'}`);
    const seeded = await seedDemoCatalog(orm);
    if (seeded) say(seeded);
  } finally {
    await orm.close();
  }
}

/**
 * Builds the Mini App (client/) into config.miniAppDir so the API serves it at /app. A failed
 * build does not stop the platform: the API and the Playground still work, and /app says the
 * client is not built. MINI_APP_BUILD=0 skips it (an existing build is served as it is).
 */
async function buildMiniApp(config: Config, env: NodeJS.ProcessEnv): Promise<void> {
  if (env.MINI_APP_BUILD === '0') {
    say(`Mini App: not rebuilt (MINI_APP_BUILD=0); serving ${config.miniAppDir}${existsSync(join(config.miniAppDir, 'index.html')) ? '' : ', which has no build'}`);
    return;
  }
  const started = Date.now();
  try {
    // Loaded here: vite is a build tool, only needed when there is a client to build.
    const { build } = await import('vite');
    await build({ configFile: join(ROOT, 'client', 'vite.config.ts'), logLevel: 'warn', build: { outDir: config.miniAppDir, emptyOutDir: true } });
    say(`Mini App: built into ${config.miniAppDir} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } catch (error) {
    complain(`Mini App: the build failed (${error instanceof Error ? error.message.split('\n')[0] : String(error)}); /app will say so. Build it alone with:`, 'npm run client:build');
  }
}

async function isReady(port: number): Promise<boolean> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(2_000) });
    return response.status === 200;
  } catch {
    return false;
  }
}

function announce(config: Config): void {
  say('MusicVerse is up');
  say(`  Playground  ${config.publicUrl}/graphql`);
  say(`  Mini App    ${config.publicUrl}/app/   (in Telegram: set it as the bot's menu button URL, see client/README.md)`);
  say(`  Health      ${config.publicUrl}/readyz   Metrics ${config.publicUrl}/metrics`);
  if (config.devLogin) say('  Sign in     run devSignIn in the Playground, then set the Authorization header (see README)');
  say('  Stop        Ctrl-C');
}

function runProcesses(config: Config, env: NodeJS.ProcessEnv): void {
  const children: Child[] = [spawnNode('api', API_SCRIPT, env, ROOT)];
  if (existsSync(WORKER_SCRIPT)) children.push(spawnNode('worker', WORKER_SCRIPT, env, ROOT));
  else say('worker: dist/workers/main.js is not built, so only the API runs (jobs and the outbox wait for a worker)');
  say(`started ${children.map((c) => `${c.name} (pid ${c.process.pid})`).join(', ')}`);

  let stopping = false;
  let firstSignalAt = 0;
  const finish = async (reason: string, failed: ChildExit | null) => {
    stopping = true;
    say(reason);
    const exits = await stopAll(children, config.shutdown.delayMs + config.shutdown.timeoutMs + STOP_MARGIN_MS);
    const clean = failed === null && exits.every(stoppedCleanly);
    say(clean ? 'stopped' : `stopped with errors: ${exits.map((e) => `${e.name} ${e.signal ?? `exit ${e.code}`}`).join(', ')}`);
    process.exit(clean ? 0 : 1);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (!stopping) {
      firstSignalAt = Date.now();
      void finish(`${signal}: stopping the processes (press Ctrl-C again to force)`, null);
      return;
    }
    // npm forwards the terminal's Ctrl-C, so one key press can arrive twice; only a later one forces.
    if (Date.now() - firstSignalAt < DUPLICATE_SIGNAL_MS) return;
    say(`${signal} again: killing the processes now`);
    killAll(children);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  // One process ending on its own leaves the platform half up: stop everything and fail.
  for (const child of children) {
    void child.exited.then((exit) => {
      if (stopping) return;
      void finish(`${exit.name} exited (${exit.signal ?? `code ${exit.code}`}); stopping the others`, exit);
    });
  }

  if (config.port === 0) return; // a random port: the API's own log line names it
  void waitUntil(async () => stopping || (await isReady(config.port)), READY_TIMEOUT_MS, 200).then((ready) => {
    if (stopping) return;
    if (ready) announce(config);
    else say(`the API is not ready after ${READY_TIMEOUT_MS / 1000} s; see ${config.publicUrl}/readyz and the [api] lines`);
  });
}

async function main(): Promise<void> {
  const env = startEnvironment();
  let config: Config;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    complain(`bad configuration: ${error.message}`);
    process.exit(1);
  }
  if (!existsSync(API_SCRIPT)) {
    complain('dist/server/main.js is missing; build first:', 'npm run build');
    process.exit(1);
  }
  await ensureService('PostgreSQL', 'DATABASE_URL', config.databaseUrl, probePostgres, launchPostgres);
  await ensureService('Redis', 'REDIS_URL', config.redisUrl, probeRedis, launchRedis);
  await prepareDatabase(config);
  await buildMiniApp(config, env);
  runProcesses(config, env);
}

main().catch((error: unknown) => {
  complain(`could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
