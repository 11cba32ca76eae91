/**
 * Event types an endpoint can subscribe to: wire constants, the `type` of a delivery's body.
 * Each is emitted through the outbox (Topic.WebhookEvent) in the transaction of the change it
 * reports. An endpoint with no types listed receives them all.
 */
export enum WebhookEventType {
  GenerationCompleted = 'generation.completed',
  GenerationFailed = 'generation.failed',
  TrackUpdated = 'track.updated',
  TrackDeleted = 'track.deleted',
  CreditsLow = 'credits.low',
}

export const WEBHOOK_EVENT_TYPES: Readonly<Record<WebhookEventType, string>> = {
  [WebhookEventType.GenerationCompleted]: 'A generation job finished: data has jobId, trackId and cost',
  [WebhookEventType.GenerationFailed]: 'A generation job failed and its credits were returned: data has jobId and error { code, message }',
  [WebhookEventType.TrackUpdated]: 'A track was renamed or restyled: data has trackId and revision',
  [WebhookEventType.TrackDeleted]: 'A track was removed from the library: data has trackId',
  [WebhookEventType.CreditsLow]:
    'Available credits fell below the price of the cheapest generation (a hold or a debit crossed it): data has available, held and threshold',
};

/**
 * The type of deliveries sent by testWebhook. Never subscribed to: it goes only to the endpoint
 * being tested.
 */
export const TEST_EVENT_TYPE = 'webhook.test';

export function isWebhookEventType(value: string): value is WebhookEventType {
  return Object.hasOwn(WEBHOOK_EVENT_TYPES, value);
}

/** Whether an endpoint subscribed to `subscribed` (empty: all) receives events of `type`. */
export function subscribesTo(subscribed: readonly string[], type: string): boolean {
  return isWebhookEventType(type) && (subscribed.length === 0 || subscribed.includes(type));
}
