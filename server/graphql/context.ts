import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { DomainError } from '../core/errors.js';
import type { Viewer } from '../modules/auth/viewer.js';
import type { Services } from '../services.js';
import type { Loaders } from './loaders.js';

/** Everything a resolver may use while serving one operation. */
export interface RequestContext {
  requestId: string;
  /** Forked for this request: its identity map is never shared. */
  em: EntityManager;
  /** The caller, or null when no (valid) credentials came with the request. */
  viewer: Viewer | null;
  /**
   * Why presented credentials were refused. Public fields still work; a field that needs a
   * viewer answers with this error rather than a generic "sign in".
   */
  authError: DomainError | null;
  services: Services;
  loaders: Loaders;
  /** The caller's address (a loopback proxy may name it in X-Forwarded-For); for a socket, its upgrade request's. */
  clientAddress: string | null;
  config: Config;
  log: Logger;
}
