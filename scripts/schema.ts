import 'reflect-metadata';
import { createSchema, printContract } from '../server/graphql/schema.js';
import { emitOrCheck } from './generated-file.js';

/**
 * `schema:emit` writes schema/schema.graphql from the resolvers; `schema:check` fails when the
 * committed file differs, so the contract never drifts from the code silently.
 */
await emitOrCheck(
  { url: new URL('../../schema/schema.graphql', import.meta.url), name: 'schema/schema.graphql', source: 'the resolvers', emitScript: 'schema:emit' },
  process.argv[2],
  printContract(await createSchema()),
);
