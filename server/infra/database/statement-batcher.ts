/** A statement that can run for one input or for several at once. */
export interface BatchableStatement<I, O> {
  /** One input alone: under no load, and again for each input of a batch that failed as a whole. */
  one(input: I): Promise<O>;
  /** Several inputs in one statement: the answer for each, in the inputs' order. */
  many(inputs: I[]): Promise<O[]>;
}

interface Waiting<I, O> {
  input: I;
  resolve: (output: O) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit (natural batching) for a hot statement: one statement at a time per process, and
 * the inputs that arrive while it runs go together in the next. Under no load an input goes
 * alone at once, so nothing waits for a timer; under load the database runs one statement (one
 * plan, one commit, one wake-up) for many inputs, and the connections stop queueing on each
 * other's locks. A batch that fails as a whole (a unique key raced in by another process, a
 * deadlock) is run again one input at a time, so every caller gets its own outcome.
 */
export class StatementBatcher<I, O> {
  private readonly waiting: Array<Waiting<I, O>> = [];
  private draining = false;
  /** Statements issued so far; under load, fewer than inputs. */
  statements = 0;

  constructor(
    private readonly statement: BatchableStatement<I, O>,
    private readonly maxBatch = 100,
  ) {}

  run(input: I): Promise<O> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ input, resolve, reject });
      if (!this.draining) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.draining = true;
    while (this.waiting.length > 0) await this.apply(this.waiting.splice(0, this.maxBatch));
    this.draining = false;
  }

  private async apply(batch: Array<Waiting<I, O>>): Promise<void> {
    if (batch.length === 1) return this.applyAlone(batch[0]!);
    this.statements += 1;
    let outputs: O[];
    try {
      outputs = await this.statement.many(batch.map((waiting) => waiting.input));
    } catch {
      await Promise.all(batch.map((waiting) => this.applyAlone(waiting)));
      return;
    }
    batch.forEach((waiting, i) => waiting.resolve(outputs[i]!));
  }

  private async applyAlone(waiting: Waiting<I, O>): Promise<void> {
    this.statements += 1;
    try {
      waiting.resolve(await this.statement.one(waiting.input));
    } catch (error) {
      waiting.reject(error);
    }
  }
}
