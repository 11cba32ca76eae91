import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import pg from 'pg';
import { ensureDatabase, migrate, openDatabase } from '../../server/infra/database/database.js';
import { initDataFor } from '../support/telegram.js';
import { databaseCpu, freePort, processCpu, stopProcess } from './harness.js';
import { deleteKeysUnder } from '../support/redis-keys.js';

/**
 * `npm run bench:api`: the library query — 50 tracks with their versions — served by our API
 * (viewer.tracks over Apollo + type-graphql, authenticated), by PostGraphile 5 on the same tables,
 * and by a bare graphql-http + pg server, each its own process, loaded in turn by autocannon.
 * BENCH_SECONDS (default 10), BENCH_CONNECTIONS (default 32), BENCH_ROUNDS (default 3: the servers
 * are measured in turn, round after round, and the medians reported).
 */
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const BASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const BENCH_BOT_TOKEN = '7000000002:AAbench-bot-token_for-the-benchmark';
const dbName = `mv_benchapi_${randomBytes(4).toString('hex')}`;
const databaseUrl = Object.assign(new URL(BASE_URL), { pathname: `/${dbName}` }).toString();

interface Server {
  name: string;
  url: string;
  child: ChildProcess;
}

async function startServer(name: string, args: string[], env: Record<string, string>, ready: (url: string) => Promise<boolean>): Promise<Server> {
  const port = await freePort();
  // BENCH_PROFILE_DIR=<dir> writes a V8 CPU profile of every server process there on exit.
  const profile = process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : [];
  const child = spawn(process.execPath, [...profile, ...args, ...(name === 'MusicVerse API' ? [] : [databaseUrl, String(port)])], {
    env: { ...process.env, ...env, PORT: String(port), GRAPHILE_ENV: 'production' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}/graphql`;
  const deadline = Date.now() + 30_000;
  while (!(await ready(url).catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`${name} did not start`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { name, url, child };
}

async function post(url: string, body: string, headers: Record<string, string> = {}): Promise<{ data?: unknown; errors?: unknown }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return (await res.json()) as { data?: unknown; errors?: unknown };
}

async function seed(pool: pg.Pool, userId: string): Promise<void> {
  for (let i = 0; i < 50; i += 1) {
    const trackId = randomUUID();
    const jobId = randomUUID();
    const at = new Date(Date.now() - (50 - i) * 1000);
    await pool.query(
      `insert into jobs (id, user_id, status, progress, stage, prompt, instrumental, duration_seconds, model, seed, cost, hold_id, idempotency_key, attempts, track_id, created_at, updated_at)
       values ($1, $2, 'SUCCEEDED', 100, 'done', 'bench', false, 30, 'mv-lite', 1, 10, $3, $4, 1, $5, $6, $6)`,
      [jobId, userId, randomUUID(), randomUUID(), trackId, at],
    );
    await pool.query(`insert into tracks (id, user_id, title, prompt, revision, created_at, updated_at) values ($1, $2, $3, 'bench', 1, $4, $4)`, [trackId, userId, `Track ${i}`, at]);
    for (let n = 1; n <= 2; n += 1) {
      await pool.query(
        `insert into track_versions (id, track_id, number, artifact_key, content_type, size_bytes, duration_seconds, source, job_id, metadata, created_at) values ($1, $2, $3, $4, 'audio/wav', 1000, 30, $5, $6, '{}', $7)`,
        [randomUUID(), trackId, n, `tracks/${trackId}/${n}.wav`, n === 1 ? 'generation' : 'edit', n === 1 ? jobId : null, at],
      );
    }
  }
}

async function load(url: string, body: string, headers: Record<string, string>): Promise<autocannon.Result> {
  return autocannon({ url, method: 'POST', body, headers: { 'content-type': 'application/json', ...headers }, connections: CONNECTIONS, duration: SECONDS });
}

interface RunFigures {
  perSecond: number;
  p50: number;
  p97_5: number;
  p99: number;
  /** CPU ms per request: the server's own, and PostgreSQL's and Redis's on its behalf. */
  cpu: number;
  postgres: number;
  redis: number;
  errors: number;
}

/** One measured load run against a server, with the CPU each process spent on it. */
async function measuredRun(server: Server, body: string, headers: Record<string, string>): Promise<RunFigures> {
  const cpuBefore = (await processCpu(server.child.pid!)).ms;
  const databaseBefore = await databaseCpu();
  const result = await load(server.url, body, headers);
  // The server's own CPU per request: steadier than req/s when the load generator shares the
  // cores; and what PostgreSQL and Redis spent on its behalf, on the same cores.
  const requests = Math.max(1, result.requests.total);
  const cpu = ((await processCpu(server.child.pid!)).ms - cpuBefore) / requests;
  const databaseAfter = await databaseCpu();
  return {
    perSecond: result.requests.average,
    p50: result.latency.p50,
    p97_5: result.latency.p97_5,
    p99: result.latency.p99,
    cpu,
    postgres: (databaseAfter.postgres - databaseBefore.postgres) / requests,
    redis: (databaseAfter.redis - databaseBefore.redis) / requests,
    errors: result.errors + result.non2xx,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Each figure's median over the runs (errors: the total). */
function medianRun(runs: RunFigures[]): RunFigures {
  const of = (pick: (run: RunFigures) => number) => median(runs.map(pick));
  return {
    perSecond: of((r) => r.perSecond),
    p50: of((r) => r.p50),
    p97_5: of((r) => r.p97_5),
    p99: of((r) => r.p99),
    cpu: of((r) => r.cpu),
    postgres: of((r) => r.postgres),
    redis: of((r) => r.redis),
    errors: runs.reduce((sum, r) => sum + r.errors, 0),
  };
}

function describeRun(name: string, run: RunFigures): string {
  return `${name.padEnd(24)} ${run.perSecond.toFixed(0).padStart(6)} req/s   p50 ${run.p50} ms   p97.5 ${run.p97_5} ms   p99 ${run.p99} ms   CPU ${run.cpu.toFixed(2)} ms/request (PostgreSQL ${run.postgres.toFixed(2)}, Redis ${run.redis.toFixed(2)})   errors ${run.errors}`;
}

async function main(): Promise<void> {
  await ensureDatabase(databaseUrl);
  const orm = await openDatabase(databaseUrl, 2);
  await migrate(orm);
  await orm.close();
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  // The load is one user far past any tier's per-minute budget: lift the limits in this database
  // only, so the run measures the limiter's cost (one Redis round trip) rather than 429s.
  await pool.query('update tier_plans set rate_limit_per_minute = 1000000000');
  const servers: Server[] = [];
  try {
    // Production mode, as deployed (graphql-js and express take their fast paths there); the
    // user signs in with Telegram initData signed by the bench's own bot token.
    const apiEnv = {
      DATABASE_URL: databaseUrl,
      REDIS_PREFIX: `mvbench:${dbName}:`,
      LOG_LEVEL: 'error',
      NODE_ENV: 'production',
      JWT_SECRET: randomBytes(32).toString('hex'),
      WEBHOOK_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
      TELEGRAM_BOT_TOKEN: BENCH_BOT_TOKEN,
      PUBLIC_URL: 'http://127.0.0.1',
      SHUTDOWN_DELAY_MS: '0',
    };
    const ours = await startServer('MusicVerse API', ['dist/server/main.js'], apiEnv, async (url) => (await fetch(url.replace('/graphql', '/readyz'))).ok);
    servers.push(ours);
    const initData = initDataFor(BENCH_BOT_TOKEN, { id: 700700700, first_name: 'Bench' });
    const signIn = (await post(ours.url, JSON.stringify({ query: 'mutation ($d: String!) { authenticateTelegram(initData: $d) { accessToken user { id } } }', variables: { d: initData } }))) as {
      data: { authenticateTelegram: { accessToken: string; user: { id: string } } };
    };
    const token = signIn.data.authenticateTelegram.accessToken;
    const userId = Buffer.from(signIn.data.authenticateTelegram.user.id, 'base64url').toString('utf8').split(':')[1]!;
    await seed(pool, userId);
    // Statistics as a live database has them (autovacuum would gather them at some point during
    // the run, changing plans under one server and not another).
    await pool.query('analyze');
    const probe = JSON.stringify({ query: '{ __typename }' });
    servers.push(await startServer('PostGraphile 5', ['dist/tests/bench/servers/postgraphile.server.js'], {}, async (url) => Boolean((await post(url, probe)).data)));
    servers.push(await startServer('bare graphql-http + pg', ['dist/tests/bench/servers/bare.server.js'], {}, async (url) => Boolean((await post(url, probe)).data)));

    const queries: Record<string, { body: string; headers: Record<string, string>; count: (data: unknown) => number }> = {
      'MusicVerse API': {
        body: JSON.stringify({ query: '{ viewer { tracks(first: 50) { edges { node { id title versions { number source } } } } } }' }),
        headers: { authorization: `Bearer ${token}` },
        count: (d) => (d as { viewer: { tracks: { edges: Array<{ node: { versions: unknown[] } }> } } }).viewer.tracks.edges.filter((e) => e.node.versions.length === 2).length,
      },
      'PostGraphile 5': {
        body: JSON.stringify({ query: `query($u: UUID!) { allTracks(first: 50, condition: { userId: $u }, orderBy: [CREATED_AT_DESC]) { nodes { id title trackVersionsByTrackId(orderBy: [NUMBER_DESC]) { nodes { number source } } } } }`, variables: { u: userId } }),
        headers: {},
        count: (d) => (d as { allTracks: { nodes: Array<{ trackVersionsByTrackId: { nodes: unknown[] } }> } }).allTracks.nodes.filter((n) => n.trackVersionsByTrackId.nodes.length === 2).length,
      },
      'bare graphql-http + pg': {
        body: JSON.stringify({ query: `query($u: ID!) { tracks(userId: $u, first: 50) { id title versions { number source } } }`, variables: { u: userId } }),
        headers: {},
        count: (d) => (d as { tracks: Array<{ versions: unknown[] }> }).tracks.filter((t) => t.versions.length === 2).length,
      },
    };
    process.stdout.write(`api benchmark: 50 tracks x 2 versions per request, autocannon ${CONNECTIONS} connections, ${SECONDS} s per run, ${ROUNDS} rounds\n`);
    for (const server of servers) {
      const q = queries[server.name]!;
      const check = await post(server.url, q.body, q.headers);
      if (check.errors || q.count(check.data) !== 50) throw new Error(`${server.name} answered wrongly: ${JSON.stringify(check).slice(0, 300)}`);
      await load(server.url, q.body, q.headers); // warm-up run, not reported
    }
    // Rounds take the servers in turn, so that a slow spell of the machine falls on all of them
    // rather than on whichever ran then; each round's ratios are taken within the round.
    const rounds: Array<Record<string, RunFigures>> = [];
    for (let round = 1; round <= ROUNDS; round += 1) {
      const figures: Record<string, RunFigures> = {};
      for (const server of servers) {
        const q = queries[server.name]!;
        figures[server.name] = await measuredRun(server, q.body, q.headers);
        process.stdout.write(`round ${round}  ${describeRun(server.name, figures[server.name]!)}\n`);
      }
      rounds.push(figures);
    }
    process.stdout.write('median of the rounds:\n');
    for (const server of servers) {
      const runs = rounds.map((r) => r[server.name]!);
      process.stdout.write(`${describeRun(server.name, medianRun(runs))}\n`);
    }
    const ratio = (other: string) => median(rounds.map((r) => r['MusicVerse API']!.perSecond / r[other]!.perSecond)).toFixed(2);
    process.stdout.write(`MusicVerse / PostGraphile: ${ratio('PostGraphile 5')}   MusicVerse / bare: ${ratio('bare graphql-http + pg')}   (median of the per-round ratios)\n`);
  } finally {
    await Promise.all(servers.map((server) => stopProcess(server.child)));
    await pool.end();
    const admin = new pg.Client({ connectionString: BASE_URL });
    await admin.connect();
    await admin.query(`drop database if exists "${dbName}" with (force)`);
    await admin.end();
    await deleteKeysUnder(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', `mvbench:${dbName}:`);
  }
}

await main();
