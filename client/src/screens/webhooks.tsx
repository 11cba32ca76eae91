import { useId, useState, type FormEvent } from 'react';
import { useMutation, useQuery, type CombinedError } from 'urql';
import { describeError, errorField } from '../api/errors';
import { ShownOnce } from '../components/shown-once';
import { Empty, ErrorNote, Loading } from '../components/states';
import { CreateWebhookDocument, WebhookEventTypesDocument, WebhooksDocument } from '../generated/graphql';
import { haptic } from '../telegram/web-app';
import { WebhookItem } from './webhook-item';

/** Webhooks on the Developer screen: the list, and a form that adds one (its secret shown once). */
export function WebhooksSection() {
  const [{ data, fetching, error }, refetch] = useQuery({ query: WebhooksDocument, requestPolicy: 'cache-and-network' });
  const webhooks = data?.viewer.webhooks;
  return (
    <section aria-labelledby="webhooks-heading">
      <h2 id="webhooks-heading">Webhooks</h2>
      <p className="muted">
        MusicVerse sends events (a finished song, a changed track…) as signed POST requests to your server. Check each one with the webhook's secret.
      </p>
      <CreateWebhook />
      <h3 id="your-webhooks-heading">Your webhooks</h3>
      {!webhooks && fetching && <Loading what="your webhooks" />}
      {error && !webhooks && <ErrorNote error={error} onRetry={() => refetch({ requestPolicy: 'network-only' })} />}
      {webhooks && webhooks.length === 0 && <Empty>No webhooks yet.</Empty>}
      {webhooks && webhooks.length > 0 && (
        <ul className="list" aria-labelledby="your-webhooks-heading">
          {webhooks.map((webhook) => (
            <WebhookItem key={webhook.id} webhook={webhook} />
          ))}
        </ul>
      )}
    </section>
  );
}

/** "url refused: private addresses are not allowed" as a sentence about the URL the person typed. */
function urlProblem(error: CombinedError): string {
  const reason = describeError(error).replace(/^url refused:\s*/i, '');
  return `MusicVerse cannot send webhooks to this URL: ${reason}.`;
}

function CreateWebhook() {
  const [{ data: typeData, error: typeError }] = useQuery({ query: WebhookEventTypesDocument });
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [eventTypes, setEventTypes] = useState<string[]>([]);
  const [created, setCreated] = useState<{ secret: string; url: string } | null>(null);
  // The last refusal, kept until the field it names is edited: the words stay beside that field.
  const [refusal, setRefusal] = useState<CombinedError | undefined>();
  const [{ fetching }, createWebhook] = useMutation(CreateWebhookDocument);
  const ids = { url: useId(), types: useId() };
  const field = errorField(refusal);

  const toggle = (type: string, on: boolean) => {
    setEventTypes((current) => (on ? [...current, type] : current.filter((t) => t !== type)));
    if (field === 'eventTypes') setRefusal(undefined);
  };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const result = await createWebhook({ input: { url: url.trim(), description: description.trim() || undefined, eventTypes } });
    setRefusal(result.error);
    if (!result.data) return haptic('error');
    haptic('success');
    setCreated({ secret: result.data.createWebhook.secret, url: result.data.createWebhook.webhook.url });
    setUrl('');
    setDescription('');
    setEventTypes([]);
  };

  return (
    <section className="card" aria-labelledby="create-webhook-heading">
      <h3 id="create-webhook-heading">Add a webhook</h3>
      {created && <ShownOnce what="secret" name={created.url} value={created.secret} testId="new-webhook-secret" onDone={() => setCreated(null)} />}
      <form onSubmit={(event) => void submit(event)} noValidate>
        <label>
          Webhook URL
          <input
            type="url"
            inputMode="url"
            required
            maxLength={2048}
            value={url}
            placeholder="https://example.com/musicverse"
            aria-invalid={field === 'url'}
            aria-describedby={field === 'url' ? ids.url : undefined}
            onChange={(e) => {
              setUrl(e.target.value);
              if (field === 'url') setRefusal(undefined);
            }}
          />
        </label>
        {field === 'url' && refusal && (
          <p id={ids.url} className="error small field-error" role="alert">
            {urlProblem(refusal)}
          </p>
        )}
        <label>
          Description (optional)
          <input maxLength={200} value={description} onChange={(e) => setDescription(e.target.value)} placeholder="my server" />
        </label>
        <fieldset aria-describedby={field === 'eventTypes' ? ids.types : undefined}>
          <legend>Events to send</legend>
          {!typeData && !typeError && <Loading what="event types" />}
          <ErrorNote error={typeData ? undefined : typeError} />
          {typeData?.webhookEventTypes.map((type) => (
            <label key={type.name} className="check">
              <input type="checkbox" checked={eventTypes.includes(type.name)} onChange={(e) => toggle(type.name, e.target.checked)} />
              <span>
                <code>{type.name}</code> <span className="muted small">{type.description}</span>
              </span>
            </label>
          ))}
        </fieldset>
        {field === 'eventTypes' && refusal && (
          <p id={ids.types} className="error small field-error" role="alert">
            {describeError(refusal)}
          </p>
        )}
        {eventTypes.length === 0 && <p className="muted small">None chosen: every event is sent.</p>}
        {refusal && !field && <ErrorNote error={refusal} />}
        {field === 'description' && <ErrorNote error={refusal} />}
        <button type="submit" disabled={fetching || !url.trim()}>
          {fetching ? 'Adding…' : 'Add webhook'}
        </button>
      </form>
    </section>
  );
}
