import type { EntityManager } from '@mikro-orm/postgresql';
import type { Redis } from 'ioredis';
import { Gauge, type Registry } from 'prom-client';
import { LAST_CHECK_KEY } from './ledger-check.js';
import { ProviderAccount } from './provider-account.entity.js';

/**
 * Ledger health as gauges read at scrape time, so any API instance reports the same truth:
 * provider balances against their thresholds (from PostgreSQL) and the last ledger check's
 * discrepancies (written to Redis by the worker). Alert rules go on these.
 */
export function registerLedgerMetrics(registry: Registry, forkEm: () => EntityManager, redis: Redis): void {
  new Gauge({
    name: 'provider_balance',
    help: "The platform's balance with each upstream provider",
    labelNames: ['provider'],
    registers: [registry],
    async collect() {
      for (const account of await forkEm().find(ProviderAccount, {})) this.set({ provider: account.provider }, account.balance);
    },
  });
  new Gauge({
    name: 'provider_balance_low_threshold',
    help: 'Below this provider balance, operators are alerted',
    labelNames: ['provider'],
    registers: [registry],
    async collect() {
      for (const account of await forkEm().find(ProviderAccount, {})) this.set({ provider: account.provider }, account.lowBalanceThreshold);
    },
  });
  new Gauge({
    name: 'ledger_check_discrepancies',
    help: 'Discrepancies found by the last ledger check (journal vs balances vs holds); anything above 0 is a page',
    registers: [registry],
    async collect() {
      const last = await redis.get(LAST_CHECK_KEY).catch(() => null);
      if (last) this.set((JSON.parse(last) as { discrepancies: number }).discrepancies);
    },
  });
}
