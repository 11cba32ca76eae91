import { BadUserInputError } from './errors.js';

/**
 * Opaque global IDs (Relay): base64url of "<Type>:<uuid>". Clients must not parse them;
 * the type inside lets `node(id:)` find the object.
 */
export function toGlobalId(type: string, id: string): string {
  return Buffer.from(`${type}:${id}`, 'utf8').toString('base64url');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function fromGlobalId(globalId: string, field = 'id'): { type: string; id: string } {
  const decoded = /^[A-Za-z0-9_-]{1,200}$/.test(globalId) ? Buffer.from(globalId, 'base64url').toString('utf8') : '';
  const separator = decoded.indexOf(':');
  const type = decoded.slice(0, separator);
  const id = decoded.slice(separator + 1);
  if (separator < 1 || !UUID.test(id)) throw new BadUserInputError(`${field} is not a MusicVerse ID`, field);
  return { type, id };
}

/** The local id of a global id that must name an object of `type`; null when it names another type. */
export function localIdOf(globalId: string, type: string, field = 'id'): string | null {
  const parsed = fromGlobalId(globalId, field);
  return parsed.type === type ? parsed.id : null;
}
