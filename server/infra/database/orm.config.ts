import { defineConfig, type Options } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { ENTITIES } from './entities.js';
import { MIGRATIONS } from './migrations/index.js';

/** One ORM configuration for the API, the worker, scripts and tests. */
export function ormOptions(databaseUrl: string, overrides: Partial<Options> = {}): Options {
  return defineConfig({
    clientUrl: databaseUrl,
    entities: [...ENTITIES],
    extensions: [Migrator],
    // Entities are listed, never discovered by globbing, so tsc output and vitest agree.
    discovery: { warnWhenNoEntities: true, requireEntitiesArray: true },
    migrations: {
      migrationsList: MIGRATIONS,
      tableName: 'mikro_orm_migrations',
      transactional: true,
      allOrNothing: true,
      snapshot: false,
      silent: true,
    },
    pool: { min: 0, max: 10 },
    // Each request forks its own EntityManager; a global one in use is a bug.
    allowGlobalContext: false,
    debug: false,
    ...overrides,
  });
}
