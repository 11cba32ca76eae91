import { BadUserInputError, ConflictError, DomainError, NotFoundError } from '../../core/errors.js';

/** The tier does not include this model, or its concurrent-job limit is reached. */
export class FeatureNotInTierError extends DomainError {
  constructor(message: string, upgrade: string) {
    super('FEATURE_NOT_IN_TIER', message, { upgrade });
  }
}

/** The model is not in the price catalog (or is switched off). */
export class UnknownModelError extends BadUserInputError {
  constructor(model: string) {
    super(`model "${model}" is not in the price catalog; see priceCatalog`, 'model');
  }
}

export class JobNotFoundError extends NotFoundError {
  constructor() {
    super('Job');
  }
}

/** The job already finished; it cannot be cancelled. */
export class JobAlreadyFinishedError extends ConflictError {
  constructor(status: string) {
    super(`Job is already ${status} and cannot be cancelled`);
  }
}
