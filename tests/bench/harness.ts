import { spawn, type ChildProcess } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { freePort } from '../support/processes.js';

export { freePort };

/**
 * Stops a server process and resolves once it is gone, at once when it already was (one that
 * crashed at start): waiting for an exit event that came and went would end the bench with its
 * database and files left behind.
 */
export function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  return exited;
}

export interface RunResult {
  ops: number;
  seconds: number;
  perSecond: number;
  p50ms: number;
  p95ms: number;
  errors: number;
}

/**
 * Runs `op` from `concurrency` loops for `durationMs` and measures throughput and latency.
 * A loop that throws counts an error and goes on; the caller decides whether errors are fatal.
 */
export async function measure(concurrency: number, durationMs: number, op: (worker: number, i: number) => Promise<void>): Promise<RunResult> {
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  const deadline = started + durationMs;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      for (let i = 0; performance.now() < deadline; i += 1) {
        const t0 = performance.now();
        try {
          await op(worker, i);
          latencies.push(performance.now() - t0);
        } catch {
          errors += 1;
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return { ops: latencies.length, seconds, perSecond: latencies.length / seconds, p50ms: at(0.5), p95ms: at(0.95), errors };
}

/** Starts the compiled API as its own process, as in production, and waits until it is ready. */
export async function spawnApi(env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['dist/server/main.js'], { env: { ...process.env, ...env, PORT: String(port) }, stdio: ['ignore', 'ignore', 'inherit'] });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const ready = await fetch(`${url}/readyz`).then((r) => r.ok, () => false);
    if (ready) return { url, child };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  throw new Error('API did not become ready');
}

export function formatRow(name: string, result: RunResult, ceiling?: RunResult): string {
  const ratio = ceiling ? `${((result.perSecond / ceiling.perSecond) * 100).toFixed(0)}% of raw` : 'ceiling';
  return `${name.padEnd(44)} ${result.perSecond.toFixed(0).padStart(7)} pairs/s   p50 ${result.p50ms.toFixed(1).padStart(6)} ms   p95 ${result.p95ms.toFixed(1).padStart(6)} ms   ${ratio}${result.errors ? `   ${result.errors} errors` : ''}`;
}

/**
 * CPU time (user + system, ms) process `pid` has used so far, its name, and the CPU of its
 * children that have exited (and been waited for), from /proc (Linux).
 */
export async function processCpu(pid: number | string): Promise<{ name: string; ms: number; kernelMs: number; exitedChildrenMs: number }> {
  return cpuFromStat(await readFile(`/proc/${pid}/stat`, 'utf8'));
}

/**
 * CPU ms of a Node process's main thread alone: the JavaScript. The rest of the process is V8's
 * garbage-collector and compiler threads and libuv's file-system thread pool.
 */
export async function mainThreadCpu(pid: number | string): Promise<number> {
  return cpuFromStat(await readFile(`/proc/${pid}/task/${pid}/stat`, 'utf8')).ms;
}

function cpuFromStat(stat: string): { name: string; ms: number; kernelMs: number; exitedChildrenMs: number } {
  // Fields after the parenthesised command name; utime, stime, cutime and cstime are the 12th
  // to the 15th of them.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = (index: number) => (Number(fields[index]) * 1000) / 100;
  return { name: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')), ms: ticks(11) + ticks(12), kernelMs: ticks(12), exitedChildrenMs: ticks(13) + ticks(14) };
}

/**
 * CPU ms used so far by every PostgreSQL and Redis server process on the machine (they serve
 * every process under test, and share its cores).
 */
export async function databaseCpu(): Promise<{ postgres: number; redis: number; postgresKernel: number; redisKernel: number }> {
  const servers = { postgres: 0, 'redis-server': 0 };
  const kernel = { postgres: 0, 'redis-server': 0 };
  for (const pid of (await readdir('/proc')).filter((name) => /^\d+$/.test(name))) {
    const cpu = await processCpu(pid).catch(() => null);
    // A backend that exits (a pool closing an idle connection) keeps counting, through the
    // postmaster's exited children.
    if (!cpu || !(cpu.name in servers)) continue;
    servers[cpu.name as keyof typeof servers] += cpu.ms + cpu.exitedChildrenMs;
    kernel[cpu.name as keyof typeof servers] += cpu.kernelMs;
  }
  return { postgres: servers.postgres, redis: servers['redis-server'], postgresKernel: kernel.postgres, redisKernel: kernel['redis-server'] };
}
