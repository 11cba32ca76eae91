import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type Client } from 'graphql-ws';
import pg from 'pg';
import WebSocket from 'ws';
import { ensureDatabase, migrate, openDatabase } from '../../server/infra/database/database.js';
import { databaseCpu, freePort, mainThreadCpu, processCpu, stopProcess } from './harness.js';
import { deleteKeysUnder } from '../support/redis-keys.js';

/**
 * `npm run bench:jobs`: end-to-end generation throughput with the local provider at full speed —
 * API and worker as separate processes, clients submitting over HTTP and watching jobUpdated over
 * WebSocket — and the latency from submit to the SUCCEEDED event a subscriber sees.
 * BENCH_JOBS (default 200), BENCH_DURATION_SECONDS (track length, default 5), BENCH_USERS (20),
 * BENCH_WORKERS (worker processes, default 1), BENCH_WARMUP_JOBS (run first and not reported, default 1500),
 * GENERATION_CONCURRENCY (jobs each worker runs at once; default 16, the worker's own default),
 * BENCH_ROUNDS (default 3: BENCH_JOBS jobs per round, each round reported, then the medians; a
 * shared machine's speed drifts by more than most changes move it).
 */
const JOBS = Number(process.env.BENCH_JOBS ?? 200);
const TRACK_SECONDS = Number(process.env.BENCH_DURATION_SECONDS ?? 5);
const USERS = Number(process.env.BENCH_USERS ?? 20);
const IN_FLIGHT_PER_USER = 8;
const WORKERS = Number(process.env.BENCH_WORKERS ?? 1);
const QUIET_JOBS = 20;
const WARMUP_JOBS = Number(process.env.BENCH_WARMUP_JOBS ?? 1_500);
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
const BASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const dbName = `mv_benchjobs_${randomBytes(4).toString('hex')}`;
const databaseUrl = Object.assign(new URL(BASE_URL), { pathname: `/${dbName}` }).toString();

function start(script: string, env: Record<string, string>): ChildProcess {
  // BENCH_PROFILE_DIR=<dir> writes a V8 CPU profile of the API and the worker there on exit.
  const profile = process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : [];
  return spawn(process.execPath, [...profile, script], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
}

/**
 * CPU ms of the API and each worker, then of every PostgreSQL and Redis server process on the
 * machine, in all and in the kernel (system calls, socket wake-ups: the cost of round trips).
 */
async function cpuSnapshot(children: ChildProcess[]): Promise<{ total: number[]; kernel: number[]; main: number[] }> {
  const own = await Promise.all(children.map((child) => processCpu(child.pid!)));
  const main = await Promise.all(children.map((child) => mainThreadCpu(child.pid!)));
  const servers = await databaseCpu();
  return {
    total: [...own.map((cpu) => cpu.ms), servers.postgres, servers.redis],
    kernel: [...own.map((cpu) => cpu.kernelMs), servers.postgresKernel, servers.redisKernel],
    main,
  };
}

/** One round: throughput, latency under load, and CPU ms per job of API, workers, PostgreSQL, Redis, load generator. */
interface RoundFigures {
  jobsPerSecond: number;
  p50: number;
  p95: number;
  cpu: number[];
  kernel: number[];
  /** The API's and each worker's main (JavaScript) thread. */
  main: number[];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Each figure's median over the rounds. */
function medianOf(rounds: RoundFigures[]): RoundFigures {
  const each = (pick: (round: RoundFigures) => number[]) => pick(rounds[0]!).map((_, i) => median(rounds.map((round) => pick(round)[i]!)));
  return {
    jobsPerSecond: median(rounds.map((round) => round.jobsPerSecond)),
    p50: median(rounds.map((round) => round.p50)),
    p95: median(rounds.map((round) => round.p95)),
    cpu: each((round) => round.cpu),
    kernel: each((round) => round.kernel),
    main: each((round) => round.main),
  };
}

function report(figures: RoundFigures, workers: number, failed: number): void {
  const ms = (value: number) => value.toFixed(1);
  const workerList = (values: number[]) => values.slice(1, 1 + workers).map(ms).join(' + ');
  const [api, servers] = [0, 1 + workers];
  const { cpu, kernel, main } = figures;
  process.stdout.write(
    `${figures.jobsPerSecond.toFixed(1)} jobs/s end to end; submit -> SUCCEEDED event p50 ${figures.p50.toFixed(0)} ms, p95 ${figures.p95.toFixed(0)} ms (queueing included); ${failed} failed\n`,
  );
  // CPU per job is steadier than jobs/s on a shared machine, and says which process to work on.
  process.stdout.write(
    `CPU per job: API ${ms(cpu[api]!)} ms, worker${workers > 1 ? 's' : ''} ${workerList(cpu)} ms, PostgreSQL ${ms(cpu[servers]!)} ms, Redis ${ms(cpu[servers + 1]!)} ms (PostgreSQL and Redis: the whole machine's); this load generator ${ms(cpu[servers + 2]!)} ms\n`,
  );
  process.stdout.write(
    `  of which in the kernel: API ${ms(kernel[api]!)} ms, worker${workers > 1 ? 's' : ''} ${workerList(kernel)} ms, PostgreSQL ${ms(kernel[servers]!)} ms (live backends), Redis ${ms(kernel[servers + 1]!)} ms; load generator ${ms(kernel[servers + 2]!)} ms\n`,
  );
  // The rest of a Node process's CPU is V8's garbage-collector and compiler threads and the file-system thread pool.
  process.stdout.write(`  of which on the JavaScript thread: API ${ms(main[api]!)} ms, worker${workers > 1 ? 's' : ''} ${workerList(main)} ms\n`);
}

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function main(): Promise<void> {
  await ensureDatabase(databaseUrl);
  const orm = await openDatabase(databaseUrl, 2);
  await migrate(orm);
  await orm.close();
  const storageDir = await mkdtemp(join(tmpdir(), 'mv-bench-'));
  const port = await freePort();
  const env = {
    DATABASE_URL: databaseUrl,
    REDIS_PREFIX: `mvbench:${dbName}:`,
    STORAGE_DIR: storageDir,
    PORT: String(port),
    DEV_LOGIN: '1',
    LOG_LEVEL: 'error',
    NODE_ENV: 'development',
    PROVIDER_LOCAL_SPEED: 'full',
    GENERATION_CONCURRENCY: process.env.GENERATION_CONCURRENCY ?? '16',
  };
  const api = start('dist/server/main.js', env);
  // Workers scale out as processes (BullMQ shares the queue); BENCH_WORKERS of them, default 1.
  const workers = Array.from({ length: WORKERS }, () => start('dist/workers/main.js', env));
  const url = `http://127.0.0.1:${port}`;
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  const clients: Client[] = [];
  // node:http on kept-alive sockets, not fetch: the load generator shares the two cores with
  // what it measures, and undici's fetch costs several times more CPU per request.
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  try {
    await until(async () => (await fetch(`${url}/readyz`)).ok, 'the API');
    const call = <T>(token: string | null, query: string, variables: Record<string, unknown> = {}): Promise<T> =>
      new Promise<T>((resolve, reject) => {
        const body = JSON.stringify({ query, variables });
        const headers = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...(token ? { authorization: `Bearer ${token}` } : {}) };
        const req = request(`${url}/graphql`, { method: 'POST', agent, headers }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            try {
              const answer = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { data: T; errors?: unknown };
              if (answer.errors) reject(new Error(JSON.stringify(answer.errors)));
              else resolve(answer.data);
            } catch (error) {
              reject(error instanceof Error ? error : new Error(String(error)));
            }
          });
          res.on('error', reject);
        });
        req.on('error', reject);
        req.end(body);
      });
    // A job's end may reach the subscriber before its submitter has read the job id back, so
    // both sides meet here whichever comes first.
    const submitted = new Map<string, number>();
    const ended = new Map<string, { at: number; status: string }>();
    const waiting = new Map<string, () => void>();
    const latencies: number[] = [];
    // One phase at a time: `target` jobs must end before `phaseDone` resolves.
    let finished = 0;
    let failed = 0;
    let target = 0;
    let phaseDone: () => void = () => undefined;
    const settle = (id: string, t0: number, end: { at: number; status: string }) => {
      submitted.delete(id);
      if (end.status === 'SUCCEEDED') latencies.push(end.at - t0);
      else failed += 1;
      finished += 1;
      waiting.get(id)?.();
      waiting.delete(id);
      if (finished === target) phaseDone();
    };
    const tokens: string[] = [];
    for (let i = 0; i < USERS; i += 1) {
      const signIn = await call<{ devSignIn: { accessToken: string; user: { id: string } } }>(null, `mutation($id: String!) { devSignIn(input: { telegramId: $id }) { accessToken user { id } } }`, { id: String(400_000_000 + i) });
      const userId = Buffer.from(signIn.devSignIn.user.id, 'base64url').toString('utf8').split(':')[1]!;
      // Enterprise tier for its concurrency, and credits for every job, through the journal.
      await pool.query(`update users set tier = 'enterprise' where id = $1`, [userId]);
      await pool.query(`insert into credit_accounts (user_id, available, held, last_grant_day, updated_at) values ($1, 1000000, 0, current_date + 1, now()) on conflict (user_id) do nothing`, [userId]);
      await pool.query(`insert into credit_transactions (id, user_id, type, available_delta, held_delta, available_after, held_after, idempotency_key, reason, created_at) values (gen_random_uuid(), $1, 'GRANT', 1000000, 0, 1000000, 0, 'bench', 'bench', now())`, [userId]);
      tokens.push(signIn.devSignIn.accessToken);
      const client = createClient({ url: `${url.replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { Authorization: `Bearer ${signIn.devSignIn.accessToken}` } });
      clients.push(client);
      client.subscribe<{ jobUpdated: { id: string; status: string } }>({ query: 'subscription { jobUpdated { id status } }' }, {
        next: ({ data }) => {
          const update = data?.jobUpdated;
          if (!update || (update.status !== 'SUCCEEDED' && update.status !== 'FAILED')) return;
          const end = { at: performance.now(), status: update.status };
          const t0 = submitted.get(update.id);
          if (t0 === undefined) ended.set(update.id, end);
          else settle(update.id, t0, end);
        },
        error: () => undefined,
        complete: () => undefined,
      });
      await new Promise<void>((resolve, reject) => client.subscribe({ query: '{ viewer { user { id } } }' }, { next: () => undefined, error: reject, complete: resolve }));
    }

    process.stdout.write(
      `jobs benchmark: ${ROUNDS} round(s) of ${JOBS} jobs of ${TRACK_SECONDS} s after ${WARMUP_JOBS} to warm up, ${USERS} users, local provider at full speed, GENERATION_CONCURRENCY=${env.GENERATION_CONCURRENCY}, ${WORKERS} worker process(es)\n`,
    );
    let next = 0;
    // A lane submits one job and waits for that job's end before the next, while its quota lasts.
    const lane = async (token: string, jobs: { left: number }): Promise<void> => {
      while (jobs.left > 0) {
        jobs.left -= 1;
        next += 1;
        const t0 = performance.now();
        const result = await call<{ generateTrack: { id: string } }>(token, `mutation($input: GenerateTrackInput!) { generateTrack(input: $input) { id } }`, {
          input: { prompt: `bench song ${next} with drums and piano`, durationSeconds: TRACK_SECONDS, idempotencyKey: randomUUID() },
        });
        const id = result.generateTrack.id;
        const over = new Promise<void>((resolve) => waiting.set(id, resolve));
        submitted.set(id, t0);
        const early = ended.get(id);
        if (early) settle(id, t0, early);
        await over;
      }
    };
    // A job whose end never arrives fails the run instead of hanging it.
    const stalled = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`only ${finished} of ${target} jobs ended within 10 minutes`)), 600_000).unref());
    // Each user keeps IN_FLIGHT_PER_USER lanes going (below its tier's limit) until `count` jobs ended.
    const phase = async (count: number): Promise<void> => {
      [finished, failed, target, latencies.length] = [0, 0, count, 0];
      const done = new Promise<void>((resolve) => (phaseDone = resolve));
      const quota = { left: count };
      await Promise.race([Promise.all(tokens.flatMap((token) => Array.from({ length: IN_FLIGHT_PER_USER }, () => lane(token, quota)))), stalled]);
      if (count > 0) await Promise.race([done, stalled]);
    };
    // Warm-up, not reported: a service that has run for a while has compiled its hot code and
    // filled its caches (the synthesiser's tones); bench:api warms up the same way. V8 keeps
    // optimising the API, the worker and this load generator for several seconds of this load:
    // after 100 jobs its compiler threads still took a tenth of the worker's CPU and the API's CPU
    // per job was twice what it settles at, which it nears by about 1 500 jobs (the rounds would
    // measure start-up, not the service).
    await phase(WARMUP_JOBS);
    const warmupFailed = failed;
    let roundsFailed = 0;
    const at = (q: number) => {
      const sorted = [...latencies].sort((a, b) => a - b);
      return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
    };
    const rounds: RoundFigures[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const started = performance.now();
      const cpuBefore = await cpuSnapshot([api, ...workers]);
      const loadBefore = process.cpuUsage();
      await phase(JOBS);
      const load = process.cpuUsage(loadBefore);
      const seconds = (performance.now() - started) / 1000;
      const cpuAfter = await cpuSnapshot([api, ...workers]);
      const perJob = (part: 'total' | 'kernel' | 'main') => cpuAfter[part].map((after, i) => (after - cpuBefore[part][i]!) / JOBS);
      roundsFailed += failed;
      const figures: RoundFigures = {
        jobsPerSecond: JOBS / seconds,
        p50: at(0.5),
        p95: at(0.95),
        cpu: [...perJob('total'), (load.user + load.system) / 1000 / JOBS],
        kernel: [...perJob('kernel'), load.system / 1000 / JOBS],
        main: perJob('main'),
      };
      rounds.push(figures);
      process.stdout.write(`round ${round} of ${ROUNDS}:\n`);
      report(figures, workers.length, failed);
    }
    if (ROUNDS > 1) {
      process.stdout.write(`median of the ${ROUNDS} rounds:\n`);
      report(medianOf(rounds), workers.length, roundsFailed);
    }
    // The pipeline's own latency, with nothing queued ahead: one user, one job at a time.
    latencies.length = 0;
    await Promise.race([lane(tokens[0]!, { left: QUIET_JOBS }), stalled]);
    process.stdout.write(`one job at a time (${QUIET_JOBS} jobs): submit -> SUCCEEDED event p50 ${at(0.5).toFixed(0)} ms, p95 ${at(0.95).toFixed(0)} ms\n`);
    if (failed + warmupFailed + roundsFailed > 0) process.exitCode = 1;
  } finally {
    agent.destroy();
    await Promise.all(clients.map((c) => c.dispose()));
    await Promise.all([api, ...workers].map(stopProcess));
    await pool.end();
    const admin = new pg.Client({ connectionString: BASE_URL });
    await admin.connect();
    await admin.query(`drop database if exists "${dbName}" with (force)`);
    await admin.end();
    await deleteKeysUnder(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', `mvbench:${dbName}:`);
    await rm(storageDir, { recursive: true, force: true });
  }
}

await main();
