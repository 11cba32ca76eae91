/**
 * Every BullMQ queue of the platform: wire constants, shared by the producers (the outbox relay,
 * schedules) and the worker's processors. Renaming one strands the jobs already waiting in it.
 */
export enum QueueName {
  /** Music generation: one job per `job.requested` event, run against the provider. */
  Generation = 'generation',
  /** Signed webhook deliveries, one job per `webhook.event`, retried with backoff. */
  Webhooks = 'webhooks',
  /** Repeatable housekeeping (outbox pruning). */
  Maintenance = 'maintenance',
  /** The ledger's repeatable jobs: hold expiry, daily grants, the ledger check. */
  Ledger = 'ledger',
}
