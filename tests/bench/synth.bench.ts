import { randomUUID } from 'node:crypto';
import { toneCache } from '../../server/modules/generation/providers/local/tone.cache.js';
import { createLocalProvider } from '../../server/modules/generation/providers/local.provider.js';
import type { GenerationRequest, MusicProvider } from '../../server/modules/generation/providers/provider.js';

/**
 * `npm run bench:synth`: CPU time the local provider spends per track (compose, render, encode),
 * in one process and without the rest of the pipeline. Cold means the tone cache is empty (the
 * first track of a fresh worker also has V8 still compiling); warm means the process has already
 * rendered other songs of the same kind, the steady state of a busy worker. Tracks are new
 * songs every time (a new prompt number and seed), never repeats of a rendered one.
 * BENCH_TRACKS (default 200), BENCH_DURATION_SECONDS (default 5), BENCH_CHANNELS (default 2).
 */
const TRACKS = Number(process.env.BENCH_TRACKS ?? 200);
const TRACK_SECONDS = Number(process.env.BENCH_DURATION_SECONDS ?? 5);
const CHANNELS = process.env.BENCH_CHANNELS === '1' ? 1 : 2;
const COLD_TRACKS = 20;
const WARM_TRACKS = 50;

interface Scenario {
  name: string;
  request: (n: number) => Partial<GenerationRequest>;
}

/** The first is what `npm run bench:jobs` submits; the others cover the other voices and tempi. */
const SCENARIOS: Scenario[] = [
  { name: 'bench song N with drums and piano', request: (n) => ({ prompt: `bench song ${n} with drums and piano`, style: null, instrumental: false }) },
  { name: 'calm ambient, instrumental', request: (n) => ({ prompt: `calm ambient evening number ${n}`, style: 'lofi', instrumental: true }) },
  { name: 'energetic rock, vocal', request: (n) => ({ prompt: `energetic rock anthem ${n}`, style: 'metal', instrumental: false }) },
  { name: 'synthwave, vocal', request: (n) => ({ prompt: `neon city nights ${n}`, style: 'synthwave', instrumental: false }) },
  { name: 'sad flute ballad', request: (n) => ({ prompt: `sad flute ballad for a rainy night ${n}`, style: 'folk', instrumental: false }) },
];

const provider: MusicProvider = createLocalProvider({ channels: CHANNELS });
const noProgress = { signal: new AbortController().signal, onProgress: () => undefined };

function request(scenario: Scenario, n: number): GenerationRequest {
  return {
    jobId: randomUUID(), title: null, style: null, instrumental: false, durationSeconds: TRACK_SECONDS, model: 'mv-lite', seed: n, prompt: '',
    ...scenario.request(n),
  };
}

/** CPU milliseconds (user + system, every thread of the process) spent rendering `tracks`. */
async function cpuMs(tracks: GenerationRequest[], beforeEach?: () => void): Promise<number[]> {
  const spent: number[] = [];
  for (const track of tracks) {
    beforeEach?.();
    const before = process.cpuUsage();
    await provider.generate(track, noProgress);
    const used = process.cpuUsage(before);
    spent.push((used.user + used.system) / 1000);
  }
  return spent;
}

const mean = (values: number[]): number => values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const ms = (value: number): string => `${value.toFixed(2)} ms`;
const typical = (values: number[]): string => `${ms(mean(values))} mean, ${ms(median(values))} median`;

function cacheReport(): string {
  const { lookups, hits, framesNeeded, framesRendered, bytes, entries, evictions } = toneCache.stats();
  const found = ((hits / Math.max(1, lookups)) * 100).toFixed(1);
  const synthesised = ((framesRendered / Math.max(1, framesNeeded)) * 100).toFixed(1);
  return `${found} % of ${lookups} notes found whole, frames synthesised ${synthesised} % of frames needed; cache ${(bytes / 2 ** 20).toFixed(1)} MB in ${entries} tones, ${evictions} evicted`;
}

async function main(): Promise<void> {
  const bench = SCENARIOS[0]!;
  process.stdout.write(`synth benchmark: ${TRACK_SECONDS} s tracks, ${CHANNELS} channel(s) at 22050 Hz; CPU per track (compose + render + encode)\n`);

  // A fresh worker: the bench prompts in order, from an empty cache and cold V8.
  toneCache.clear();
  toneCache.resetStats();
  const fresh = await cpuMs(Array.from({ length: TRACKS }, (_, i) => request(bench, i + 1)));
  process.stdout.write(`fresh process, ${TRACKS} × "${bench.name}":\n`);
  process.stdout.write(`  first track ${ms(fresh[0]!)} (V8 and cache cold), tracks 2-10 ${ms(mean(fresh.slice(1, 10)))}, tracks 11-${TRACKS} ${typical(fresh.slice(10))}\n`);
  process.stdout.write(`  tone cache over those ${TRACKS}: ${cacheReport()}\n`);

  for (const scenario of SCENARIOS) {
    // Cold: every track starts from an empty cache (V8 already warm).
    const cold = await cpuMs(Array.from({ length: COLD_TRACKS }, (_, i) => request(scenario, 10_000 + i)), () => toneCache.clear());
    // Warm: after other songs of this kind, new songs of the same kind.
    await cpuMs(Array.from({ length: WARM_TRACKS }, (_, i) => request(scenario, 20_000 + i)));
    toneCache.resetStats();
    const warm = await cpuMs(Array.from({ length: WARM_TRACKS }, (_, i) => request(scenario, 30_000 + i)));
    process.stdout.write(`${scenario.name.padEnd(34)} cold cache ${typical(cold)}; warm ${typical(warm)}\n${''.padEnd(36)}warm: ${cacheReport()}\n`);
  }
}

await main();
