import { NotFoundError } from '../../core/errors.js';

export class TrackNotFoundError extends NotFoundError {
  constructor() {
    super('Track');
  }
}
