import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { ensureDatabase, migrate, openDatabase } from '../../server/infra/database/database.js';
import { deleteKeysUnder } from './redis-keys.js';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    redisUrl: string;
    redisPrefix: string;
  }
}

const BASE_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * Each run gets its own database and Redis key prefix, migrated from the committed
 * migrations, and removes both when it ends.
 */
/**
 * Suites that run the API or worker as child processes need the compiled output in dist/
 * (decorator metadata comes from tsc, not from a loader). Built once per run, incrementally.
 * Type errors are reported by `npm run typecheck`; here tsc still emits, so they only warn.
 */
function buildDist(): void {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  try {
    execFileSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { stdio: 'pipe' });
  } catch (error) {
    const output = (error as { stdout?: Buffer }).stdout?.toString() ?? String(error);
    process.stderr.write(`global-setup: tsc reported errors (dist/ was still written):\n${output.slice(0, 2000)}\n`);
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  buildDist();
  const runId = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const url = new URL(BASE_DATABASE_URL);
  url.pathname = `/mv_test_${runId}`;
  const databaseUrl = url.toString();
  const redisPrefix = `mvtest:${runId}:`;

  await ensureDatabase(databaseUrl);
  const orm = await openDatabase(databaseUrl, 2);
  await migrate(orm);
  await orm.close();

  project.provide('databaseUrl', databaseUrl);
  project.provide('redisUrl', REDIS_URL);
  project.provide('redisPrefix', redisPrefix);

  return async () => {
    const admin = new pg.Client({ connectionString: BASE_DATABASE_URL });
    await admin.connect();
    await admin.query(`drop database if exists "mv_test_${runId}" with (force)`);
    await admin.end();
    await deleteKeysUnder(REDIS_URL, redisPrefix);
  };
}
