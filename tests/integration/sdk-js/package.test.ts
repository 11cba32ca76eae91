import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGenerationStack, type GenerationStack } from '../../support/generation-stack.js';

/**
 * The package as a user installs it: built from source by tsc, packed by `npm pack`, unpacked in
 * a temporary directory and imported by name from a consumer project (its dependencies resolve
 * through a symlink to the repository's node_modules, as an install would provide them).
 */
const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SDK = join(ROOT, 'sdk-js');
const TSC = createRequire(import.meta.url).resolve('typescript/bin/tsc');

let work: string;
let consumer: string;
let packed: string[];

beforeAll(async () => {
  await rm(join(SDK, 'dist'), { recursive: true, force: true });
  await run(process.execPath, [TSC, '-p', join(SDK, 'tsconfig.json')], { cwd: ROOT });
  work = await mkdtemp(join(tmpdir(), 'mv-sdk-pack-'));
  const { stdout } = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], { cwd: SDK });
  const [{ filename }] = JSON.parse(stdout) as Array<{ filename: string }>;
  packed = (await run('tar', ['-tzf', join(work, filename)])).stdout.trim().split('\n');
  await run('tar', ['-xzf', join(work, filename), '-C', work]);
  await symlink(join(ROOT, 'node_modules'), join(work, 'package', 'node_modules'), 'dir');
  consumer = join(work, 'consumer');
  await mkdir(join(consumer, 'node_modules', '@musicverse'), { recursive: true });
  await symlink(join(work, 'package'), join(consumer, 'node_modules', '@musicverse', 'sdk'), 'dir');
  await writeFile(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
}, 120_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('npm pack', () => {
  it('packs the compiled JavaScript, its declarations, the README and package.json, and no sources', () => {
    expect(packed).toEqual(expect.arrayContaining(['package/package.json', 'package/README.md', 'package/dist/index.js', 'package/dist/index.d.ts', 'package/dist/client.js', 'package/dist/core/webhooks.d.ts']));
    expect(packed.filter((f) => f.endsWith('.js')).length).toBeGreaterThan(10);
    expect(packed.filter((f) => !/^package\/(dist\/.+\.(js|d\.ts)|README\.md|package\.json)$/.test(f))).toEqual([]);
  });
});

describe('the packed entry point', () => {
  it('imports by package name and exposes MusicVerse, the error classes and verifyWebhook', async () => {
    const script = `import * as sdk from '@musicverse/sdk';
      const client = new sdk.MusicVerse({ apiKey: 'amv_live_x' }, { baseUrl: 'http://127.0.0.1:9' });
      console.log(JSON.stringify({ client: typeof client.tracks.iterate, endpoint: client.endpoint, errors: new sdk.InsufficientCreditsError('x', { code: 'INSUFFICIENT_CREDITS' }) instanceof sdk.MusicVerseError, verify: typeof sdk.verifyWebhook }));`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: consumer });
    expect(JSON.parse(stdout)).toEqual({ client: 'function', endpoint: 'http://127.0.0.1:9/graphql', errors: true, verify: 'function' });
  });

  it('type-checks a strict TypeScript consumer against the packed declarations', async () => {
    await writeFile(
      join(consumer, 'check.ts'),
      `import { MusicVerse, InsufficientCreditsError, type Track, type JobProgress } from '@musicverse/sdk';
       const client = new MusicVerse({ apiKey: 'amv_live_x' });
       export async function titles(): Promise<string[]> {
         const out: string[] = [];
         for await (const track of client.tracks.iterate({ pageSize: 2 })) out.push((track satisfies Track).title);
         const job = await client.generation.generate({ prompt: 'p', durationSeconds: 5 });
         for await (const event of client.jobs.watch(job.id)) out.push((event satisfies JobProgress).status);
         return out;
       }
       export const isCredits = (e: unknown): boolean => e instanceof InsufficientCreditsError;
       // @ts-expect-error durationSeconds is required
       void client.generation.generate({ prompt: 'p' });`,
    );
    const tsconfig = { compilerOptions: { strict: true, module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', lib: ['ES2023'], noEmit: true, typeRoots: [join(ROOT, 'node_modules/@types')], types: ['node'] }, files: ['check.ts'] };
    await writeFile(join(consumer, 'tsconfig.json'), JSON.stringify(tsconfig));
    await run(process.execPath, [TSC, '-p', join(consumer, 'tsconfig.json')], { cwd: consumer });
  }, 60_000);
});

describe('README quickstart', () => {
  let stack: GenerationStack;
  beforeAll(async () => {
    stack = await startGenerationStack('sdkreadme');
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('runs as written against a running server and follows a job to SUCCEEDED', async () => {
    const readme = await readFile(join(work, 'package', 'README.md'), 'utf8');
    const quickstart = /## Quickstart[\s\S]*?```js\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(quickstart).toBeDefined();
    await writeFile(join(consumer, 'quickstart.mjs'), quickstart!);
    const { stdout } = await run(process.execPath, ['quickstart.mjs'], { cwd: consumer, env: { ...process.env, MUSICVERSE_BASE_URL: stack.api.url }, timeout: 60_000 });
    expect(stdout).toMatch(/^credits available: \d+$/m);
    expect(stdout).toMatch(/^SUCCEEDED \S+ 100%$/m);
    expect(stdout).toMatch(/^track: .+ http/m);
  }, 90_000);
});
