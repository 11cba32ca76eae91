/** Job names on the `maintenance` queue (wire constants: schedules and processor agree on them). */
export enum MaintenanceJob {
  /** Deletes outbox events published more than `olderThanDays` days ago. Repeats hourly. */
  OutboxPrune = 'outbox-prune',
  /** Re-queues generation jobs that Redis lost (QUEUED too long, or RUNNING with a dead worker). Every 30 s. */
  RequeueStuckJobs = 'requeue-stuck-jobs',
  /** Removes the audio of tracks deleted more than `olderThanDays` days ago. Repeats hourly. */
  PurgeDeletedTrackFiles = 'purge-deleted-track-files',
  /**
   * Test only (refused unless NODE_ENV=test): holds a worker slot for `ms` milliseconds, so tests
   * can shut a worker down with a job in flight.
   */
  TestSlow = 'test-slow',
}

/** How long published outbox events are kept (for debugging deliveries) before pruning. */
export const OUTBOX_RETENTION_DAYS = 7;
