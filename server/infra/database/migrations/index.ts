import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261125Foundation } from './20261125-foundation.js';

/** Migrations in the order they run; a landed migration is never edited, only followed. */
export const MIGRATIONS: MigrationObject[] = [
  { name: 'Migration20261125Foundation', class: Migration20261125Foundation },
];
