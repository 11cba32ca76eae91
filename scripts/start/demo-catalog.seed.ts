import type { MikroORM } from '@mikro-orm/postgresql';

/**
 * The hook where `npm start` fills a fresh database with a demo catalog (price catalog, tiers,
 * sample tracks) so a newcomer has something to query. It runs after the migrations, on every
 * start, so it must be idempotent (insert what is missing, never overwrite).
 *
 * Nothing to seed yet: the catalog's tables arrive with the credits and tracks issues, which
 * fill this in. Returns a line for the start log, or null when nothing was done.
 */
export async function seedDemoCatalog(_orm: MikroORM): Promise<string | null> {
  return null;
}
