import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * An endpoint's run of failed deliveries, counted in one statement each so concurrent deliveries
 * to one endpoint never lose a count.
 */

/** A delivery succeeded: the run of failures is over. */
export async function recordSucceededDelivery(em: EntityManager, endpointId: string): Promise<void> {
  await em.execute(`update webhook_endpoints set consecutive_failures = 0 where id = ? and consecutive_failures <> 0`, [endpointId]);
}

/**
 * A delivery ended FAILED. At `limit` failures in a row the endpoint is disabled, with a reason its
 * owner can read; answers whether this failure disabled it.
 */
export async function recordFailedDelivery(em: EntityManager, endpointId: string, limit: number, now: Date): Promise<boolean> {
  const reason = `Disabled after ${limit} deliveries in a row failed; fix the receiver, then enable the webhook again`;
  const rows = await em.execute<Array<{ disabled_now: boolean }>>(
    `update webhook_endpoints set
       consecutive_failures = consecutive_failures + 1,
       enabled = enabled and consecutive_failures + 1 < ?,
       disabled_reason = case when enabled and consecutive_failures + 1 >= ? then ? else disabled_reason end,
       disabled_at = case when enabled and consecutive_failures + 1 >= ? then ? else disabled_at end,
       updated_at = ?
     where id = ?
     returning (disabled_at = ?) as disabled_now`,
    [limit, limit, reason, limit, now, now, endpointId, now],
  );
  return rows[0]?.disabled_now === true;
}
