import { ApiKey } from '../../modules/api-keys/api-key.entity.js';
import { RefreshToken } from '../../modules/auth/refresh-token.entity.js';
import { Session } from '../../modules/auth/session.entity.js';
import { User } from '../../modules/users/user.entity.js';
import { OutboxEvent } from '../outbox/outbox-event.entity.js';

/** Every entity the ORM knows; a module adds its own here. */
export const ENTITIES = [User, Session, RefreshToken, ApiKey, OutboxEvent] as const;
