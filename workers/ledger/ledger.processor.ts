import { UnrecoverableError, type Processor } from 'bullmq';
import { systemClock } from '../../server/core/clock.js';
import { recordEvent } from '../../server/infra/outbox/outbox.js';
import { Topic } from '../../server/infra/outbox/outbox.topics.js';
import { CreditsService, utcDay } from '../../server/modules/credits/credits.service.js';
import { LAST_CHECK_KEY, checkLedger } from '../../server/modules/credits/ledger-check.js';
import { runStatement } from '../../server/infra/database/sql-statement.js';
import { ACCOUNTS_OWED_DAILY_GRANT } from '../../server/modules/credits/ledger.sql.js';
import type { WorkerContext } from '../worker.context.js';
import { LedgerJob } from './ledger.jobs.js';

const GRANT_BATCH = 500;

/** Runs the ledger's scheduled jobs with the same service the API uses. */
export function ledgerProcessor(ctx: WorkerContext): Processor {
  const credits = new CreditsService(systemClock);
  return async (job) => {
    switch (job.name) {
      case LedgerJob.ExpireHolds: {
        const expired = await credits.expireDueHolds(ctx.orm.em.fork());
        if (expired > 0) ctx.log.info({ expired }, 'expired holds past their expiry');
        return { expired };
      }
      case LedgerJob.DailyGrants: {
        let granted = 0;
        for (;;) {
          const em = ctx.orm.em.fork();
          const owed = await runStatement<{ user_id: string }>(em, ACCOUNTS_OWED_DAILY_GRANT, { day: utcDay(systemClock.now()), limit: GRANT_BATCH });
          for (const { user_id } of owed) if (await credits.grantDaily(em, user_id)) granted += 1;
          if (owed.length < GRANT_BATCH) break;
        }
        if (granted > 0) ctx.log.info({ granted }, 'daily grants credited');
        return { granted };
      }
      case LedgerJob.Check: {
        const found = await checkLedger(ctx.orm.em.fork());
        const summary = { at: new Date().toISOString(), discrepancies: found.length };
        await ctx.redis.set(LAST_CHECK_KEY, JSON.stringify(summary));
        if (found.length > 0) {
          ctx.log.error({ discrepancies: found.length, first: found.slice(0, 5) }, 'ledger check found discrepancies');
          const em = ctx.orm.em.fork();
          recordEvent(em, {
            topic: Topic.AdminAlert,
            userId: null,
            payload: { kind: 'ledger_discrepancy', message: `Ledger check found ${found.length} discrepancies`, details: { first: found.slice(0, 5) } },
          });
          await em.flush();
        }
        return summary;
      }
      default:
        throw new UnrecoverableError(`unknown ledger job "${job.name}"`);
    }
  };
}
