import { describe, expect, it } from 'vitest';
import { JobStatus } from '../../../server/modules/jobs/job.entity.js';
import { movesOn } from '../../../server/modules/jobs/job.events.js';

/**
 * Progress ticks (Redis) and status changes (outbox) reach subscribers by separate roads and
 * may arrive late or twice; what a subscriber is shown must never go back.
 */
const at = (status: JobStatus, progress: number, stage = 'rendering') => ({ status, progress, stage });

describe('movesOn', () => {
  it('passes the first change and every step forward', () => {
    expect(movesOn(undefined, at(JobStatus.QUEUED, 0, 'queued'))).toBe(true);
    expect(movesOn(at(JobStatus.QUEUED, 0, 'queued'), at(JobStatus.RUNNING, 0, 'starting'))).toBe(true);
    expect(movesOn(at(JobStatus.RUNNING, 10), at(JobStatus.RUNNING, 50))).toBe(true);
    expect(movesOn(at(JobStatus.RUNNING, 90), at(JobStatus.SUCCEEDED, 100, 'done'))).toBe(true);
  });

  it('passes a new stage at the same progress, not a repeat', () => {
    expect(movesOn(at(JobStatus.RUNNING, 90, 'rendering'), at(JobStatus.RUNNING, 90, 'storing'))).toBe(true);
    expect(movesOn(at(JobStatus.RUNNING, 90, 'storing'), at(JobStatus.RUNNING, 90, 'storing'))).toBe(false);
  });

  it('drops a late tick, a step back in status, and anything after the end', () => {
    expect(movesOn(at(JobStatus.RUNNING, 50), at(JobStatus.RUNNING, 10))).toBe(false);
    expect(movesOn(at(JobStatus.RUNNING, 10), at(JobStatus.QUEUED, 0, 'queued'))).toBe(false);
    expect(movesOn(at(JobStatus.SUCCEEDED, 100, 'done'), at(JobStatus.RUNNING, 90))).toBe(false);
    expect(movesOn(at(JobStatus.CANCELLED, 40, 'cancelled'), at(JobStatus.FAILED, 40, 'failed'))).toBe(false);
  });
});
