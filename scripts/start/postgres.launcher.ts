import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { asAdmin, commandLine, findExecutable, isLoopbackHost, runCommand, waitUntil } from './system.helpers.js';

export type Probe = { state: 'up' } | { state: 'down' | 'refused'; reason: string };

/** Outcome of trying to bring a service up: what was done, or the command the user must run. */
export type Launch = { started: true; how: string } | { started: false; why: string; command?: string };

const STARTUP_TIMEOUT_MS = 30_000;

/** Server error codes that mean "still starting", not "refused": keep waiting. */
const STARTING_UP = new Set(['57P03']);

/** Whether PostgreSQL answers at the URL's host and port (connects to the `postgres` database). */
export async function probePostgres(databaseUrl: string): Promise<Probe> {
  const admin = new URL(databaseUrl);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString(), connectionTimeoutMillis: 3_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('select 1');
    return { state: 'up' };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    // The server answered with an error (bad password, unknown role): starting another will not help.
    if (error instanceof pg.DatabaseError && !STARTING_UP.has(error.code ?? '')) return { state: 'refused', reason };
    return { state: 'down', reason };
  } finally {
    await client.end().catch(() => undefined);
  }
}

function portOf(url: URL): number {
  return Number(url.port || 5432);
}

/** Debian clusters (/etc/postgresql/<version>/main) configured for `port`, newest first. */
function debianClusterFor(port: number): string | null {
  const root = '/etc/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root).filter((v) => existsSync(join(root, v, 'main', 'postgresql.conf')));
  versions.sort((a, b) => Number(b) - Number(a));
  for (const version of versions) {
    const conf = readFileSync(join(root, version, 'main', 'postgresql.conf'), 'utf8');
    const configured = /^\s*port\s*=\s*(\d+)/m.exec(conf);
    if (Number(configured?.[1] ?? 5432) === port) return version;
  }
  return null;
}

/** pg_ctl from PATH or from Debian's versioned directories. */
function findPgCtl(): string | null {
  const libDir = '/usr/lib/postgresql';
  const versioned = existsSync(libDir)
    ? readdirSync(libDir)
        .sort((a, b) => Number(b) - Number(a))
        .map((v) => join(libDir, v, 'bin'))
    : [];
  return findExecutable('pg_ctl', versioned);
}

async function startDebianCluster(version: string): Promise<Launch> {
  const args = ['--skip-systemctl-redirect', version, 'main', 'start'];
  const tool = findExecutable('pg_ctlcluster');
  if (!tool) return { started: false, why: `PostgreSQL ${version} is installed but pg_ctlcluster is missing`, command: asAdmin(commandLine('pg_ctlcluster', args)) };
  const result = await runCommand(tool, args);
  if (!result.ok) return { started: false, why: `pg_ctlcluster could not start PostgreSQL ${version}: ${result.output}`, command: asAdmin(commandLine('pg_ctlcluster', args)) };
  return { started: true, how: `started the local PostgreSQL ${version} cluster (${commandLine('pg_ctlcluster', args)})` };
}

/** A private cluster under .data/postgres, owned by the current user; PostgreSQL refuses root. */
async function startPrivateCluster(pgCtl: string, url: URL, dataRoot: string): Promise<Launch> {
  const dataDir = join(dataRoot, 'postgres');
  const port = portOf(url);
  const user = decodeURIComponent(url.username) || 'postgres';
  // pg_ctl on PATH is often a symlink; initdb sits beside the real one.
  const initdb = join(realpathSync(pgCtl), '..', 'initdb');
  const listen = url.hostname === 'localhost' ? 'localhost' : '127.0.0.1';
  // The socket goes beside the data, so no write access to /var/run/postgresql is needed.
  const serverOptions = (socketDir: string) => `-p ${port} -c listen_addresses=${listen} -k ${socketDir}`;
  const startArgs = ['-D', dataDir, '-l', join(dataDir, 'server.log'), '-w', '-t', '30', '-o', serverOptions(dataDir), 'start'];
  if (process.getuid?.() === 0) {
    const dir = '/var/lib/postgresql/musicverse';
    const asPostgres = ['-D', dir, '-l', `${dir}/server.log`, '-w', '-o', serverOptions('/tmp'), 'start'];
    return {
      started: false,
      why: 'PostgreSQL refuses to run as root and no Debian cluster is configured for this port',
      command: `runuser -u postgres -- ${commandLine(initdb, ['-D', dir, '-U', user, '-A', 'trust'])} && runuser -u postgres -- ${commandLine(pgCtl, asPostgres)}`,
    };
  }
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    mkdirSync(dataDir, { recursive: true });
    const init = await runCommand(initdb, ['-D', dataDir, '-U', user, '-A', 'trust', '-E', 'UTF8']);
    if (!init.ok) return { started: false, why: `initdb failed: ${init.output}`, command: commandLine(initdb, ['-D', dataDir, '-U', user, '-A', 'trust']) };
  }
  const started = await runCommand(pgCtl, startArgs);
  if (!started.ok) return { started: false, why: `pg_ctl could not start PostgreSQL: ${started.output}`, command: commandLine(pgCtl, startArgs) };
  return { started: true, how: `started a private PostgreSQL in ${dataDir} (stop it with: ${commandLine(pgCtl, ['-D', dataDir, 'stop'])})` };
}

/**
 * Brings up PostgreSQL for a DATABASE_URL on this machine: the Debian cluster configured for
 * its port, else a private cluster under .data/. Never touches a remote host.
 */
export async function launchPostgres(databaseUrl: string, dataRoot: string): Promise<Launch> {
  const url = new URL(databaseUrl);
  const port = portOf(url);
  if (!isLoopbackHost(url.hostname)) {
    return { started: false, why: `DATABASE_URL points at ${url.host}, which does not answer; start PostgreSQL there or point DATABASE_URL at a running server` };
  }
  const version = debianClusterFor(port);
  let launch: Launch;
  if (version) {
    launch = await startDebianCluster(version);
  } else {
    const pgCtl = findPgCtl();
    if (!pgCtl) {
      // Once installed, the next `npm start` starts the new Debian cluster itself.
      if (findExecutable('apt-get')) return { started: false, why: `PostgreSQL is not installed and nothing answers on port ${port}`, command: asAdmin('apt-get install -y postgresql') };
      return { started: false, why: `PostgreSQL is not installed and nothing answers on port ${port}; install PostgreSQL 15 or newer and start it on 127.0.0.1:${port}` };
    }
    launch = await startPrivateCluster(pgCtl, url, dataRoot);
  }
  if (!launch.started) return launch;
  const up = await waitUntil(async () => (await probePostgres(databaseUrl)).state !== 'down', STARTUP_TIMEOUT_MS);
  return up ? launch : { started: false, why: `PostgreSQL was started but does not answer on port ${port} after ${STARTUP_TIMEOUT_MS / 1000} s` };
}
