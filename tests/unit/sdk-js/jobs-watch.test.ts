import { describe, expect, it } from 'vitest';
import type { MusicVerse } from '../../../sdk-js/src/client.js';
import { Jobs, type JobProgress } from '../../../sdk-js/src/resources/jobs.js';

function event(status: JobProgress['status'], progress: number, stage: string): JobProgress {
  return { status, progress, stage } as JobProgress;
}

/** A client whose subscription replays `events` as the server (and its reconnects) sent them. */
function clientSending(events: JobProgress[]): MusicVerse {
  return {
    async *subscribe() {
      for (const jobProgress of events) yield { jobProgress };
    },
  } as unknown as MusicVerse;
}

async function watched(events: JobProgress[]): Promise<Array<[string, number, string]>> {
  const seen: Array<[string, number, string]> = [];
  for await (const e of new Jobs(clientSending(events)).watch('job')) seen.push([e.status, e.progress, e.stage]);
  return seen;
}

describe('jobs.watch', () => {
  it('never goes back when a resubscribe starts again from an older or repeated state', async () => {
    const seen = await watched([
      event('QUEUED', 0, 'queued'),
      event('RUNNING', 10, 'generating'),
      // The socket dropped; the new subscription's first state is older, then repeats one.
      event('RUNNING', 0, 'queued'),
      event('QUEUED', 0, 'queued'),
      event('RUNNING', 10, 'generating'),
      event('RUNNING', 50, 'generating'),
      event('RUNNING', 50, 'encoding'),
      event('SUCCEEDED', 100, 'done'),
    ]);
    expect(seen).toEqual([
      ['QUEUED', 0, 'queued'],
      ['RUNNING', 10, 'generating'],
      ['RUNNING', 50, 'generating'],
      ['RUNNING', 50, 'encoding'],
      ['SUCCEEDED', 100, 'done'],
    ]);
  });

  it('ends at the first terminal state, even one reported with less progress', async () => {
    const seen = await watched([event('RUNNING', 40, 'generating'), event('FAILED', 10, 'failed'), event('RUNNING', 60, 'generating')]);
    expect(seen).toEqual([
      ['RUNNING', 40, 'generating'],
      ['FAILED', 10, 'failed'],
    ]);
  });
});
