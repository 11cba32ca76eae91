import type { AuthCheckerFn } from 'type-graphql';
import { createParameterDecorator } from 'type-graphql';
import { ForbiddenError, UnauthenticatedError } from '../core/errors.js';
import { isScope, type Requirement } from '../modules/auth/scopes.js';
import { viewerHasScope, type Viewer } from '../modules/auth/viewer.js';
import type { RequestContext } from './context.js';

/** The caller, or the reason their credentials were refused. */
export function requireViewer(context: RequestContext): Viewer {
  if (context.viewer) return context.viewer;
  throw context.authError ?? new UnauthenticatedError();
}

/**
 * The one place that decides access. `@Authorized()` needs any viewer; `@Authorized('a', 'b')`
 * needs every listed requirement: a scope (API keys must hold it, sessions hold all),
 * `session` (a person, not an API key) or `admin`.
 */
export const authChecker: AuthCheckerFn<RequestContext, Requirement> = ({ context }, requirements) => {
  requireAccess(requireViewer(context), ...requirements);
  return true;
};

/**
 * The checks behind `@Authorized`, for places a decorator cannot reach: `node(id)` (the
 * requirement depends on the type), and subscriptions (checked when subscribing, before any event).
 */
export function requireAccess(viewer: Viewer, ...requirements: Requirement[]): void {
  for (const requirement of requirements) {
    // @Authorized takes any string; a misspelt scope must close the field, not open it.
    if (requirement !== 'session' && requirement !== 'admin' && !isScope(requirement)) {
      throw new Error(`@Authorized names an unknown requirement "${String(requirement)}"`);
    }
    if (requirement === 'session' && viewer.credential.kind !== 'session') {
      throw new ForbiddenError('This needs a signed-in session; API keys cannot do it');
    }
    if (requirement === 'admin' && (viewer.credential.kind !== 'session' || viewer.role !== 'admin')) {
      throw new ForbiddenError('This needs an admin session');
    }
    if (isScope(requirement) && !viewerHasScope(viewer, requirement)) {
      throw new ForbiddenError(`This API key lacks the scope "${requirement}"; create a key that has it`);
    }
  }
}

/** Injects the signed-in viewer, or fails with UNAUTHENTICATED. */
export function CurrentViewer(): ReturnType<typeof createParameterDecorator> {
  return createParameterDecorator<RequestContext>(({ context }) => requireViewer(context));
}
