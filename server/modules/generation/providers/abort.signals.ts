import { setTimeout as delay } from 'node:timers/promises';
import { ProviderCancelledError } from './provider.errors.js';

/** Throws ProviderCancelledError when the job's signal has fired; called between units of work. */
export function throwIfCancelled(signal: AbortSignal): void {
  if (signal.aborted) throw new ProviderCancelledError();
}

/**
 * Waits `ms`, or rejects as soon as `signal` fires (with the signal's reason, so the caller can
 * tell a cancelled job from a deadline). A plain timer would keep a cancelled job alive.
 */
export async function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0) {
    if (signal.aborted) throw signal.reason;
    return;
  }
  try {
    await delay(ms, undefined, { signal });
  } catch (error) {
    throw signal.aborted ? signal.reason : error;
  }
}

/** Lets timers, I/O and abort events run between chunks of CPU-bound work. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
