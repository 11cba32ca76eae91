/**
 * Turns pushed values (pub/sub messages) into an async iterator for GraphQL subscriptions. The
 * subscription is made once, before the first value is awaited; values that arrive while the
 * consumer is busy wait in a bounded buffer (the oldest are dropped, with `onOverflow`); ending
 * the iteration unsubscribes, and never fails, even when Redis is already gone.
 */
export interface PushStreamOptions {
  /** Values held for a slow consumer. Default 1 000. */
  bufferSize?: number;
  onOverflow?: () => void;
}

type Unsubscribe = () => Promise<void>;

export function createPushStream<T>(
  subscribe: (push: (value: T) => void) => Promise<Unsubscribe>,
  options: PushStreamOptions = {},
): AsyncIterableIterator<T> {
  const bufferSize = options.bufferSize ?? 1_000;
  const buffer: T[] = [];
  let waiting: ((result: IteratorResult<T>) => void) | undefined;
  let done = false;
  const push = (value: T) => {
    if (done) return;
    if (waiting) {
      const resolve = waiting;
      waiting = undefined;
      resolve({ value, done: false });
      return;
    }
    buffer.push(value);
    if (buffer.length > bufferSize) {
      buffer.shift();
      options.onOverflow?.();
    }
  };
  const subscribed = subscribe(push);
  const finish = async (): Promise<IteratorResult<T>> => {
    if (!done) {
      done = true;
      buffer.length = 0;
      waiting?.({ value: undefined, done: true });
      waiting = undefined;
      const unsubscribe = await subscribed.catch(() => undefined);
      await unsubscribe?.().catch(() => undefined);
    }
    return { value: undefined, done: true };
  };
  const iterator: AsyncIterableIterator<T> = {
    next: async () => {
      await subscribed;
      const value = buffer.shift();
      if (value !== undefined) return { value, done: false };
      if (done) return { value: undefined, done: true };
      return new Promise((resolve) => {
        waiting = resolve;
      });
    },
    return: finish,
    throw: async (error: unknown) => {
      await finish();
      throw error;
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}
