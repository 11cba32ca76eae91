import { execFile } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const ROOT = new URL('../..', import.meta.url).pathname;

async function newestSource(dir: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, await newestSource(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, (await stat(path)).mtimeMs);
  }
  return newest;
}

/**
 * Runs `npm run build` unless dist/ is newer than every server source. Processes run from tsc
 * output, because only tsc (not tsx) emits the decorator metadata type-graphql needs.
 */
export async function ensureBuilt(): Promise<void> {
  const built = await stat(join(ROOT, 'dist/server/main.js')).then((s) => s.mtimeMs, () => 0);
  const sources = Math.max(await newestSource(join(ROOT, 'server')), await newestSource(join(ROOT, 'workers')).catch(() => 0));
  if (built > sources) return;
  // tsc emits even when it reports type errors (typecheck reports those); what matters here is
  // that dist/ was written.
  await promisify(execFile)('npm', ['run', 'build', '--silent'], { cwd: ROOT }).catch(async (error: unknown) => {
    const after = await stat(join(ROOT, 'dist/server/main.js')).then((s) => s.mtimeMs, () => 0);
    if (after <= built) throw error;
  });
}

/** The compiled API entry point. */
export const API_MAIN = join(ROOT, 'dist/server/main.js');
