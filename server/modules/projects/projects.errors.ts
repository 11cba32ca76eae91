import { ConflictError, NotFoundError } from '../../core/errors.js';

export class ProjectNotFoundError extends NotFoundError {
  constructor() {
    super('Project');
  }
}

/** updateProject was given a revision older than the project's: someone else changed it first. */
export class StaleProjectRevisionError extends ConflictError {
  constructor(expected: number, actual: number) {
    super(`Project changed since revision ${expected} (it is at ${actual}); reload it and apply your change again`);
  }
}
