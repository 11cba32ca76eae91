import type { WebhookEventType } from './webhook-event-types.js';

/**
 * SQL that is true when user `userId` (an SQL expression) has an enabled endpoint that takes
 * `type` (an endpoint with no types takes them all): the test the fan-out applies. Hot
 * statements record an event only when this holds, because an event nobody takes still costs a
 * queue job and a fan-out query.
 */
export function someEndpointTakes(userId: string, type: WebhookEventType): string {
  return `exists (select 1 from webhook_endpoints e where e.user_id = ${userId} and ${endpointTakes('e', `'${type}'`)})`;
}

/** SQL that is true when endpoint row `e` is enabled and takes event type `type` (an SQL expression). */
export function endpointTakes(e: string, type: string): string {
  return `${e}.enabled and (cardinality(${e}.event_types) = 0 or ${type} = any(${e}.event_types))`;
}
