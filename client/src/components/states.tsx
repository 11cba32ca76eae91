import type { ReactNode } from 'react';
import type { CombinedError } from 'urql';
import { describeError } from '../api/errors';

export function Loading({ what }: { what: string }) {
  return (
    <p className="muted" role="status" aria-live="polite">
      Loading {what}…
    </p>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="empty">{children}</div>;
}

/** An error in words, with a retry when the action can be repeated. */
export function ErrorNote({ error, text, onRetry }: { error?: CombinedError; text?: string; onRetry?: () => void }) {
  const message = text ?? describeError(error);
  if (!message) return null;
  return (
    <div className="error" role="alert">
      <p>{message}</p>
      {onRetry && (
        <button type="button" className="secondary" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}
