import { useState } from 'react';

/**
 * A secret the server shows once (an API key, a webhook signing secret): it keeps only a hash or
 * ciphertext, so this is the one chance to copy it. "I saved it" removes it from the page.
 */
export function ShownOnce({ what, name, value, testId, onDone }: { what: 'key' | 'secret'; name: string; value: string; testId: string; onDone: () => void }) {
  const [copied, setCopied] = useState<'no' | 'yes' | 'failed'>('no');
  const copy = () =>
    navigator.clipboard.writeText(value).then(
      () => setCopied('yes'),
      () => setCopied('failed'),
    );
  const lost = what === 'key' ? 'revoke it and create another' : 'delete the webhook and create it again';
  return (
    <div className="new-key" role="region" aria-label={`New ${what} ${name}`}>
      <p>
        <strong>Copy your {what} now.</strong> It is shown this once; if you lose it, {lost}.
      </p>
      <input readOnly value={value} aria-label={what === 'key' ? 'Your new API key' : 'Your new webhook secret'} data-testid={testId} onFocus={(e) => e.target.select()} />
      <div className="actions">
        <button type="button" onClick={() => void copy()}>
          Copy {what}
        </button>
        <button type="button" className="secondary" onClick={onDone}>
          I saved it
        </button>
      </div>
      <p role="status" className="muted small">
        {copied === 'yes' ? 'Copied to the clipboard.' : copied === 'failed' ? `Could not copy; select the ${what} and copy it yourself.` : ''}
      </p>
    </div>
  );
}
