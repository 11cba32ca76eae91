import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { ConfirmButton } from '../components/confirm-button';
import { ShownOnce } from '../components/shown-once';
import { Empty, ErrorNote, Loading } from '../components/states';
import { ApiKeyScopesDocument, ApiKeysDocument, CreateApiKeyDocument, RevokeApiKeyDocument, type ApiKeyFieldsFragment } from '../generated/graphql';
import { capitalise, dateTime } from '../format';
import { haptic } from '../telegram/web-app';
import { WebhooksSection } from './webhooks';

/** API keys for your own scripts (create one, shown once; revoke it) and webhooks for your own servers. */
export function DeveloperScreen() {
  const [{ data, fetching, error }, refetch] = useQuery({ query: ApiKeysDocument, requestPolicy: 'cache-and-network' });
  const keys = data?.viewer.apiKeys;
  return (
    <main className="screen">
      <h1>Developer</h1>
      <p className="muted">API keys let your scripts call the MusicVerse API as you. Send one as the X-API-Key header.</p>
      <CreateKey />
      <section aria-labelledby="keys-heading">
        <h2 id="keys-heading">Your keys</h2>
        {!keys && fetching && <Loading what="your keys" />}
        {error && !keys && <ErrorNote error={error} onRetry={() => refetch({ requestPolicy: 'network-only' })} />}
        {keys && keys.length === 0 && <Empty>No API keys yet.</Empty>}
        {keys && keys.length > 0 && (
          <ul className="list">
            {keys.map((key) => (
              <KeyItem key={key.id} apiKey={key} />
            ))}
          </ul>
        )}
      </section>
      <WebhooksSection />
    </main>
  );
}

function CreateKey() {
  const [{ data: scopeData }] = useQuery({ query: ApiKeyScopesDocument });
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<string[]>([]);
  const [created, setCreated] = useState<{ key: string; name: string } | null>(null);
  const [{ fetching, error }, createApiKey] = useMutation(CreateApiKeyDocument);

  const toggle = (scope: string, on: boolean) => setScopes((current) => (on ? [...current, scope] : current.filter((s) => s !== scope)));
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const result = await createApiKey({ input: { name: name.trim(), scopes } });
    if (!result.data) return haptic('error');
    haptic('success');
    setCreated({ key: result.data.createApiKey.key, name: result.data.createApiKey.apiKey.name });
    setName('');
    setScopes([]);
  };

  return (
    <section className="card" aria-labelledby="create-heading">
      <h2 id="create-heading">Create a key</h2>
      {created && <ShownOnce what="key" name={created.name} value={created.key} testId="new-key" onDone={() => setCreated(null)} />}
      <form onSubmit={(event) => void submit(event)}>
        <label>
          Key name
          <input required maxLength={80} value={name} onChange={(e) => setName(e.target.value)} placeholder="my laptop" />
        </label>
        <fieldset>
          <legend>What the key may do</legend>
          {!scopeData && <Loading what="scopes" />}
          {scopeData?.apiKeyScopes.map((scope) => (
            <label key={scope.name} className="check">
              <input type="checkbox" checked={scopes.includes(scope.name)} onChange={(e) => toggle(scope.name, e.target.checked)} />
              <span>
                <code>{scope.name}</code> <span className="muted small">{scope.description}</span>
              </span>
            </label>
          ))}
        </fieldset>
        {scopes.length === 0 && <p className="muted small">Choose at least one scope.</p>}
        <ErrorNote error={error} />
        <button type="submit" disabled={fetching || !name.trim() || scopes.length === 0}>
          {fetching ? 'Creating…' : 'Create key'}
        </button>
      </form>
    </section>
  );
}

function KeyItem({ apiKey }: { apiKey: ApiKeyFieldsFragment }) {
  const [{ fetching, error }, revokeApiKey] = useMutation(RevokeApiKeyDocument);
  return (
    <li className="card" data-testid="api-key">
      <p className="title">{apiKey.name}</p>
      <p className="small">
        <code>{apiKey.prefix}</code> · <span className={apiKey.status === 'ACTIVE' ? '' : 'danger-text'}>{capitalise(apiKey.status)}</span>
      </p>
      <p className="muted small">
        {apiKey.scopes.join(', ')} · created {dateTime(apiKey.createdAt)}
        {apiKey.lastUsedAt ? ` · last used ${dateTime(apiKey.lastUsedAt)}` : ''}
        {apiKey.revokedAt ? ` · revoked ${dateTime(apiKey.revokedAt)}` : ''}
      </p>
      {apiKey.status === 'ACTIVE' && (
        <ConfirmButton
          label={`Revoke ${apiKey.name}`}
          confirmLabel="Yes, revoke it now"
          disabled={fetching}
          onConfirm={() => void revokeApiKey({ id: apiKey.id }).then((r) => haptic(r.error ? 'error' : 'success'))}
        />
      )}
      <ErrorNote error={error} />
    </li>
  );
}
