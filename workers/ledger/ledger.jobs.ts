/** Job names on the `ledger` queue (wire constants shared by schedules and the processor). */
export enum LedgerJob {
  /** Expires pending holds past their expiry and returns their credits. Every 2 s. */
  ExpireHolds = 'expire-holds',
  /** Credits today's tier grant to every account still owed it. Every 10 min. */
  DailyGrants = 'daily-grants',
  /** Replays the journal against balances and holds; alerts on any discrepancy. Every 15 min. */
  Check = 'ledger-check',
}
