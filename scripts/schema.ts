import 'reflect-metadata';
import { readFile, writeFile } from 'node:fs/promises';
import { createSchema, printContract } from '../server/graphql/schema.js';

/**
 * `schema:emit` writes schema/schema.graphql from the resolvers; `schema:check` fails when the
 * committed file differs, so the contract never drifts from the code silently.
 */
const SCHEMA_FILE = new URL('../../schema/schema.graphql', import.meta.url);
const mode = process.argv[2];
const printed = printContract(await createSchema());
if (mode === 'emit') {
  await writeFile(SCHEMA_FILE, printed);
  process.stdout.write('schema/schema.graphql written\n');
} else {
  const committed = await readFile(SCHEMA_FILE, 'utf8').catch(() => '');
  if (committed !== printed) {
    process.stderr.write('schema/schema.graphql is out of date with the resolvers: run "npm run schema:emit" and commit it\n');
    process.exit(1);
  }
  process.stdout.write('schema/schema.graphql matches the resolvers\n');
}
