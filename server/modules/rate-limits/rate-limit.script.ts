import type { Redis } from 'ioredis';

/**
 * Spends a batch of operations' points from one window's budget in one round trip, atomically
 * and in order: each operation that fits spends its cost, one that would go over the limit
 * spends nothing (so a refused burst does not eat the budget of later, smaller operations), and
 * the first spend in a window sets the key's expiry.
 * KEYS[1] window key; ARGV: expiry in ms, then cost and limit per operation.
 * Returns per operation: 1 admitted | 0 refused, then the window's total after it.
 */
const SPEND_LUA = `
local before = tonumber(redis.call('GET', KEYS[1]) or '0')
local used = before
local outcome = {}
for i = 2, #ARGV, 2 do
  local cost = tonumber(ARGV[i])
  if used + cost > tonumber(ARGV[i + 1]) then
    outcome[#outcome + 1] = 0
  else
    used = used + cost
    outcome[#outcome + 1] = 1
  end
  outcome[#outcome + 1] = used
end
if used > before then
  redis.call('INCRBY', KEYS[1], used - before)
  if before == 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
end
return outcome
`;

const COMMAND = 'mvRateLimitSpendBatch';
/** Spends sent in one call at most, so that one huge burst cannot make a huge script call. */
const MAX_BATCH = 256;

type SpendCommand = (key: string, expiryMs: number, ...costsAndLimits: number[]) => Promise<number[]>;

/** The outcome of one spend: whether it fit and the window's total afterwards. */
export interface Spent {
  admitted: boolean;
  used: number;
}

interface WaitingSpend {
  cost: number;
  limit: number;
  expiryMs: number;
  settle: (spent: Spent) => void;
  fail: (error: unknown) => void;
}

/**
 * The spend script bound to a connection. ioredis sends it by EVALSHA (EVAL once when the
 * server does not know it yet) and adds the connection's key prefix to KEYS.
 *
 * Group commit per budget: while one spend for a key is on its way to Redis, the operations
 * that arrive for the same key wait and then go together in the next call. Each still gets
 * exactly its own outcome and total (the script applies them in arrival order), but a busy
 * user costs one round trip per batch instead of one per operation; a lone operation goes at
 * once and waits for nobody.
 */
export class BudgetStore {
  private readonly spendCommand: SpendCommand;
  /** Keys with a call in flight, and the spends waiting for the next one. */
  private readonly waiting = new Map<string, WaitingSpend[]>();

  constructor(private readonly redis: Redis) {
    if (!(COMMAND in redis)) redis.defineCommand(COMMAND, { numberOfKeys: 1, lua: SPEND_LUA });
    const bound = (redis as unknown as Record<string, SpendCommand>)[COMMAND]!;
    this.spendCommand = bound.bind(redis);
  }

  /** False while the connection is down or reconnecting: callers then fail open at once. */
  get available(): boolean {
    return this.redis.status === 'ready';
  }

  spend(key: string, cost: number, limit: number, expiryMs: number): Promise<Spent> {
    return new Promise<Spent>((settle, fail) => {
      const spend = { cost, limit, expiryMs, settle, fail };
      const queue = this.waiting.get(key);
      if (queue) queue.push(spend);
      else {
        this.waiting.set(key, []);
        void this.send(key, [spend]);
      }
    });
  }

  /** Sends one batch, then the spends that queued meanwhile, until none are left for the key. */
  private async send(key: string, batch: WaitingSpend[]): Promise<void> {
    for (let current = batch; current.length > 0; current = this.takeWaiting(key)) {
      try {
        const expiryMs = Math.max(...current.map((s) => s.expiryMs));
        const outcome = await this.spendCommand(key, expiryMs, ...current.flatMap((s) => [s.cost, s.limit]));
        current.forEach((s, i) => s.settle({ admitted: outcome[2 * i] === 1, used: Number(outcome[2 * i + 1]) }));
      } catch (error) {
        for (const s of current) s.fail(error);
      }
    }
    this.waiting.delete(key);
  }

  /** The next batch for the key: the oldest waiting spends, at most MAX_BATCH of them. */
  private takeWaiting(key: string): WaitingSpend[] {
    return this.waiting.get(key)?.splice(0, MAX_BATCH) ?? [];
  }

  /** The window's total without spending (for `rateLimit` when nothing was counted). */
  async used(key: string): Promise<number> {
    return Number((await this.redis.get(key)) ?? 0);
  }
}
