import type { Queue } from 'bullmq';
import type { Logger } from 'pino';
import { createQueue, type QueueSettings } from './queue.factory.js';

/**
 * The producer queues one process uses, opened on first use and closed together, so a process
 * holds one connection per queue however many places add jobs to it.
 */
export class QueueRegistry {
  private readonly queues = new Map<string, Queue>();

  constructor(
    private readonly settings: QueueSettings,
    private readonly log: Logger,
  ) {}

  get(name: string): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = createQueue(this.settings, name, this.log);
      this.queues.set(name, queue);
    }
    return queue;
  }

  async close(): Promise<void> {
    const open = [...this.queues.values()];
    this.queues.clear();
    await Promise.allSettled(open.map((queue) => queue.close()));
  }
}
