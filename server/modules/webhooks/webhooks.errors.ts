import { BadUserInputError, ConflictError, NotFoundError } from '../../core/errors.js';

/** A webhook id that does not exist or is not the caller's. */
export class WebhookNotFoundError extends NotFoundError {
  constructor() {
    super('Webhook');
  }
}

/** A delivery id that does not exist or belongs to another user's webhook. */
export class WebhookDeliveryNotFoundError extends NotFoundError {
  constructor() {
    super('Webhook delivery');
  }
}

/**
 * The URL is malformed, not http(s), or its host is or resolves to an address deliveries may not
 * go to (private, loopback, link-local...). Thrown at create/update; at delivery time the same
 * check fails the attempt with this message.
 */
export class WebhookUrlRefusedError extends BadUserInputError {
  constructor(reason: string) {
    super(`url refused: ${reason}`, 'url');
  }
}

/** eventTypes names a type that is not in webhookEventTypes. */
export class UnknownWebhookEventTypeError extends BadUserInputError {
  constructor(unknown: readonly string[]) {
    super(`unknown event type ${unknown.map((t) => `"${t}"`).join(', ')}; see the webhookEventTypes query for the list`, 'eventTypes');
  }
}

/** The user already has the most webhooks one account may register. */
export class TooManyWebhooksError extends ConflictError {
  constructor(limit: number) {
    super(`You already have ${limit} webhooks; delete one before adding another`);
  }
}
