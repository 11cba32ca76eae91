export { QueueName } from './queue.names.js';
export { bullPrefix, createConsumer, createQueue, type ConsumerOptions, type QueueSettings } from './queue.factory.js';
export { QueueRegistry } from './queue.registry.js';
