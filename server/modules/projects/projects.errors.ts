import { NotFoundError } from '../../core/errors.js';

export class ProjectNotFoundError extends NotFoundError {
  constructor() {
    super('Project');
  }
}
