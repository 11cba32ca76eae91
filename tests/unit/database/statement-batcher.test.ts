import { describe, expect, it } from 'vitest';
import { StatementBatcher } from '../../../server/infra/database/statement-batcher.js';

/** A statement whose runs the test releases by hand, recording what each run carried. */
function manualStatement(fail: (inputs: number[]) => boolean = () => false) {
  const runs: Array<{ inputs: number[]; release: () => void }> = [];
  const settle = (inputs: number[], answer: () => number[]) =>
    new Promise<number[]>((resolve, reject) => runs.push({ inputs, release: () => (fail(inputs) ? reject(new Error(`refused ${inputs.join(',')}`)) : resolve(answer())) }));
  return {
    runs,
    statement: {
      one: async (input: number) => (await settle([input], () => [input * 10]))[0]!,
      many: (inputs: number[]) => settle(inputs, () => inputs.map((input) => input * 10)),
    },
  };
}

/** Lets pending promise callbacks run. */
const settled = () => new Promise((resolve) => setImmediate(resolve));

describe('StatementBatcher', () => {
  it('runs an input alone at once, and gathers what arrives meanwhile into the next statement, answering each caller in order', async () => {
    const { runs, statement } = manualStatement();
    const batcher = new StatementBatcher(statement);
    const first = batcher.run(1);
    await settled();
    expect(runs.map((run) => run.inputs)).toEqual([[1]]);
    const rest = [2, 3, 4].map((input) => batcher.run(input));
    await settled();
    expect(runs).toHaveLength(1);
    runs[0]!.release();
    await settled();
    expect(runs.map((run) => run.inputs)).toEqual([[1], [2, 3, 4]]);
    runs[1]!.release();
    expect(await Promise.all([first, ...rest])).toEqual([10, 20, 30, 40]);
    expect(batcher.statements).toBe(2);
  });

  it('caps a statement at maxBatch inputs', async () => {
    const { runs, statement } = manualStatement();
    const batcher = new StatementBatcher(statement, 2);
    const all = [1, 2, 3, 4, 5].map((input) => batcher.run(input));
    for (let i = 0; i < 3; i++) {
      await settled();
      runs[i]!.release();
    }
    expect(await Promise.all(all)).toEqual([10, 20, 30, 40, 50]);
    expect(runs.map((run) => run.inputs)).toEqual([[1], [2, 3], [4, 5]]);
  });

  it('runs a batch that failed as a whole again one input at a time, so each caller gets its own outcome', async () => {
    const { runs, statement } = manualStatement((inputs) => inputs.length > 1 || inputs[0] === 3);
    const batcher = new StatementBatcher(statement);
    const all = [1, 2, 3, 4].map((input) => batcher.run(input));
    const outcomes = Promise.allSettled(all);
    for (let i = 0; i < 5; i++) {
      await settled();
      runs[i]?.release();
    }
    expect(runs.map((run) => run.inputs)).toEqual([[1], [2, 3, 4], [2], [3], [4]]);
    expect((await outcomes).map((outcome) => (outcome.status === 'fulfilled' ? outcome.value : (outcome.reason as Error).message))).toEqual([10, 20, 'refused 3', 40]);
  });
});
