export { OutboxEvent } from './outbox-event.entity.js';
export { recordEvent, recordOutboxEvent, type OutboxRecord } from './outbox.js';
export { ROUTES, Topic, type Route, type RouteTable, type TopicPayloads } from './outbox.topics.js';
export { parseEnvelope, topicChannel, type OutboxEnvelope } from './outbox.envelope.js';
export { OutboxPublisher } from './outbox-publisher.js';
export { OutboxListener } from './outbox-listener.js';
export { OutboxRelay, type OutboxRelayDeps, type OutboxRelayOptions, type RelayStats } from './outbox-relay.js';
export { pruneOutbox } from './outbox-prune.js';
export { EventSubscriber, type EnvelopeListener, type EventSubscriberOptions, type StreamOptions } from './event-subscriber.js';
