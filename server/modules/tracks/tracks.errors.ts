import { ConflictError, NotFoundError } from '../../core/errors.js';

export class TrackNotFoundError extends NotFoundError {
  constructor() {
    super('Track');
  }
}

/** updateTrack was given a revision older than the track's: someone else changed it first. */
export class StaleRevisionError extends ConflictError {
  constructor(expected: number, actual: number) {
    super(`Track changed since revision ${expected} (it is at ${actual}); reload it and apply your change again`);
  }
}
