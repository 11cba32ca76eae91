import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261125CreditsLedger } from './20261125-credits-ledger.js';
import { Migration20261125Foundation } from './20261125-foundation.js';
import { Migration20261125Generation } from './20261125-generation.js';
import { Migration20261125OutboxRelay } from './20261125-outbox-relay.js';
import { Migration20261125TrackFilesCleanup } from './20261125-track-files-cleanup.js';
import { Migration20261126Webhooks } from './20261126-webhooks.js';
import { Migration20261127Projects } from './20261127-projects.js';
import { Migration20261128ActiveJobs } from './20261128-active-jobs.js';
import { Migration20261129OutboxRelayOrder } from './20261129-outbox-relay-order.js';
import { Migration20261130JobsCountedByStatement } from './20261130-jobs-counted-by-statement.js';
import { Migration20261201JobsCountedInBatches } from './20261201-jobs-counted-in-batches.js';

/** Migrations in the order they run; a landed migration is never edited, only followed. */
export const MIGRATIONS: MigrationObject[] = [
  { name: 'Migration20261125Foundation', class: Migration20261125Foundation },
  { name: 'Migration20261125CreditsLedger', class: Migration20261125CreditsLedger },
  { name: 'Migration20261125OutboxRelay', class: Migration20261125OutboxRelay },
  { name: 'Migration20261125Generation', class: Migration20261125Generation },
  { name: 'Migration20261125TrackFilesCleanup', class: Migration20261125TrackFilesCleanup },
  { name: 'Migration20261126Webhooks', class: Migration20261126Webhooks },
  { name: 'Migration20261127Projects', class: Migration20261127Projects },
  { name: 'Migration20261128ActiveJobs', class: Migration20261128ActiveJobs },
  { name: 'Migration20261129OutboxRelayOrder', class: Migration20261129OutboxRelayOrder },
  { name: 'Migration20261130JobsCountedByStatement', class: Migration20261130JobsCountedByStatement },
  { name: 'Migration20261201JobsCountedInBatches', class: Migration20261201JobsCountedInBatches },
];
