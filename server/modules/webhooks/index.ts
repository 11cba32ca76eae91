/** What other modules, the worker and the schema may import from the webhooks module. */
export { WebhookEndpoint } from './webhook-endpoint.entity.js';
export { WebhookDelivery, WebhookDeliveryStatus, type WebhookAttemptRecord } from './webhook-delivery.entity.js';
export { WebhooksService, WEBHOOK_DUE_CHANNEL, type DeliveryNudge } from './webhooks.service.js';
export { WebhookDispatcher, type DueDelivery, type WebhookEventEnvelope } from './webhook-dispatcher.js';
export { WEBHOOK_EVENT_TYPES, WebhookEventType, TEST_EVENT_TYPE, subscribesTo } from './webhook-event-types.js';
export { classifyAddress, type AddressClass } from './address-classifier.js';
export { signWebhook, newWebhookSecret, WEBHOOK_SECRET_PREFIX, type WebhookSignatureHeaders } from './webhook-signature.js';
export type { WebhookSettings } from './webhook.settings.js';
