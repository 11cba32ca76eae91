import type pg from 'pg';

/** Rows deleted per statement, so pruning a large backlog never holds long locks. */
const CHUNK = 5_000;

/**
 * Deletes events published more than `olderThanDays` days ago and returns how many. Unpublished
 * events are never pruned, however old: they are work still owed.
 */
export async function pruneOutbox(pool: pg.Pool, olderThanDays: number): Promise<number> {
  let total = 0;
  for (;;) {
    const result = await pool.query(
      `delete from outbox where id in (
        select id from outbox where published_at < now() - make_interval(days => $1) limit $2)`,
      [olderThanDays, CHUNK],
    );
    const deleted = result.rowCount ?? 0;
    total += deleted;
    if (deleted < CHUNK) return total;
  }
}
