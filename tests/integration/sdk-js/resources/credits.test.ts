import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, type CreditBalance } from '../../../../sdk-js/src/index.js';
import { startGenerationStack, type GenerationStack } from '../../../support/generation-stack.js';
import { newSessionClient } from '../sdk.harness.js';

/** The worker relays ledger changes to creditsChanged; no generation happens here. */
let stack: GenerationStack;
beforeAll(async () => {
  stack = await startGenerationStack('sdkcredits');
});
afterAll(async () => {
  await stack.stop();
});

describe('credits holds', () => {
  it('places, commits part of and releases holds; a resolved hold refuses with ConflictError', async () => {
    const { client } = await newSessionClient(stack.api.url);
    const start = await client.credits.balance();
    const hold = await client.credits.placeHold({ amount: 10, reason: 'render', reference: 'order-1' });
    expect(hold).toMatchObject({ amount: 10, status: 'PENDING', reference: 'order-1' });
    expect(hold.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
    expect(await client.credits.balance()).toMatchObject({ available: start.available - 10, held: 10 });

    expect(await client.credits.commitHold(hold.id, 4)).toMatchObject({ status: 'COMMITTED', charged: 4 });
    await expect(client.credits.releaseHold(hold.id)).rejects.toBeInstanceOf(ConflictError);
    const second = await client.credits.placeHold({ amount: 5, reason: 'preview' });
    expect((await client.credits.releaseHold(second.id)).status).toBe('RELEASED');
    expect(await client.credits.balance()).toMatchObject({ available: start.available - 4, held: 0 });

    const statuses: string[] = [];
    for await (const h of client.credits.holds({ pageSize: 1 })) statuses.push(h.status);
    expect(statuses.sort()).toEqual(['COMMITTED', 'RELEASED']);
    expect((await client.credits.priceCatalog()).map((p) => p.model)).toContain('mv-lite');
  });
});

describe('credits.changes', () => {
  it('yields the balance after each change of the viewer’s credits', async () => {
    const { client } = await newSessionClient(stack.api.url);
    const start = await client.credits.balance();
    const events: CreditBalance[] = [];
    const changes = client.credits.changes();
    const collecting = (async () => {
      for await (const balance of changes) {
        events.push(balance);
        if (balance.held >= 20) return;
      }
    })();
    try {
      // The subscription is live once a change made now is seen: nudge with 1-credit holds until one is.
      for (let nudges = 0; events.length === 0; nudges++) {
        if (nudges > 50) throw new Error('creditsChanged never delivered');
        await client.credits.placeHold({ amount: 1, reason: 'nudge' });
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const held = events.at(-1)!.held;
      await client.credits.placeHold({ amount: 20, reason: 'render' });
      await collecting;
      expect(events.at(-1)!.held).toBeGreaterThanOrEqual(held + 20);
      expect(events.every((e) => e.available + e.held === start.available + start.held)).toBe(true);
    } finally {
      await client.close();
    }
  });
});
