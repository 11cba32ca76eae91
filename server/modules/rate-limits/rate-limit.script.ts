import type { Redis } from 'ioredis';

/**
 * Spends `cost` points of a window's budget in one round trip, atomically: an operation that
 * would go over the limit spends nothing (so a refused burst does not eat the budget of later,
 * smaller operations), and the first spend in a window sets the key's expiry.
 * KEYS[1] window key; ARGV: cost, limit, expiry in ms. Returns { 1 admitted | 0 refused, used }.
 */
const SPEND_LUA = `
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
local cost = tonumber(ARGV[1])
if used + cost > tonumber(ARGV[2]) then return {0, used} end
used = redis.call('INCRBY', KEYS[1], cost)
if used == cost then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
return {1, used}
`;

const COMMAND = 'mvRateLimitSpend';

type SpendCommand = (key: string, cost: number, limit: number, expiryMs: number) => Promise<[number, number]>;

/** The outcome of one spend: whether it fit and the window's total afterwards. */
export interface Spent {
  admitted: boolean;
  used: number;
}

/**
 * The spend script bound to a connection. ioredis sends it by EVALSHA (EVAL once when the
 * server does not know it yet) and adds the connection's key prefix to KEYS.
 */
export class BudgetStore {
  private readonly spendCommand: SpendCommand;

  constructor(private readonly redis: Redis) {
    if (!(COMMAND in redis)) redis.defineCommand(COMMAND, { numberOfKeys: 1, lua: SPEND_LUA });
    const bound = (redis as unknown as Record<string, SpendCommand>)[COMMAND]!;
    this.spendCommand = bound.bind(redis);
  }

  /** False while the connection is down or reconnecting: callers then fail open at once. */
  get available(): boolean {
    return this.redis.status === 'ready';
  }

  async spend(key: string, cost: number, limit: number, expiryMs: number): Promise<Spent> {
    const [admitted, used] = await this.spendCommand(key, cost, limit, expiryMs);
    return { admitted: admitted === 1, used };
  }

  /** The window's total without spending (for `rateLimit` when nothing was counted). */
  async used(key: string): Promise<number> {
    return Number((await this.redis.get(key)) ?? 0);
  }
}
