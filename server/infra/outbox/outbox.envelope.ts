/** What the relay publishes for one outbox event, on Redis pub/sub and as a BullMQ job's data. */
export interface OutboxEnvelope<Payload = Record<string, unknown>> {
  /** The event id (uuid): deduplicate by it, delivery is at least once. */
  id: string;
  topic: string;
  userId: string | null;
  payload: Payload;
  /** ISO 8601, the database time the event was recorded. */
  createdAt: string;
}

/** The pub/sub channel of a topic, before the deployment prefix (Broadcast adds it). */
export function topicChannel(topic: string): string {
  return `outbox:${topic}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads an envelope off the wire; undefined for anything else, which subscribers ignore. */
export function parseEnvelope(message: string): OutboxEnvelope | undefined {
  let value: unknown;
  try {
    value = JSON.parse(message);
  } catch {
    return undefined;
  }
  if (!isRecord(value)) return undefined;
  const { id, topic, userId, payload, createdAt } = value;
  if (typeof id !== 'string' || typeof topic !== 'string' || typeof createdAt !== 'string') return undefined;
  if (userId !== null && typeof userId !== 'string') return undefined;
  if (!isRecord(payload)) return undefined;
  return { id, topic, userId, payload, createdAt };
}
