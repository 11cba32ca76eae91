/** Where "now" comes from, so time-dependent rules (expiry, daily grants) are testable without sleeps. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** The latest of `times` (at least one): the time a batch of requests is written at. */
export function latestOf(times: Date[]): Date {
  return times.reduce((latest, time) => (time > latest ? time : latest));
}

/** A clock tests move by hand. */
export class ManualClock implements Clock {
  constructor(private current: Date = new Date()) {}

  now(): Date {
    return new Date(this.current.getTime());
  }

  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }

  set(date: Date): void {
    this.current = new Date(date.getTime());
  }
}
