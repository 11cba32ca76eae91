import { useEffect, useId, useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { ConfirmButton } from '../components/confirm-button';
import { ErrorNote, Loading } from '../components/states';
import {
  DeleteWebhookDocument,
  TestWebhookDocument,
  UpdateWebhookDocument,
  WebhookRecentDeliveriesDocument,
  type WebhookFieldsFragment,
} from '../generated/graphql';
import { capitalise, dateTime } from '../format';
import { haptic } from '../telegram/web-app';

/** How many deliveries a card lists: enough to see whether the endpoint is healthy. */
const RECENT = 5;
/** Nothing pushes delivery outcomes to the app, so a PENDING one is asked about again this often. */
const PENDING_POLL_MS = 1_000;
/** The server turns a webhook off after this many failed deliveries in a row. */
const DISABLED_AT = 10;

/** One webhook: what it receives, its health, and test / enable / disable / delete. */
export function WebhookItem({ webhook }: { webhook: WebhookFieldsFragment }) {
  const [open, setOpen] = useState(false);
  const [test, sendTest] = useMutation(TestWebhookDocument);
  const [update, updateWebhook] = useMutation(UpdateWebhookDocument);
  const [removal, deleteWebhook] = useMutation(DeleteWebhookDocument);
  const deliveriesId = useId();
  const failures = webhook.consecutiveFailures;

  const onTest = () =>
    void sendTest({ id: webhook.id }).then((result) => {
      haptic(result.error ? 'error' : 'success');
      if (result.data) setOpen(true);
    });
  const onToggle = () => void updateWebhook({ id: webhook.id, input: { enabled: !webhook.enabled } }).then((r) => haptic(r.error ? 'error' : 'success'));

  return (
    <li className="card" data-testid="webhook">
      <p className="title">
        <code>{webhook.url}</code>
      </p>
      {webhook.description && <p className="small">{webhook.description}</p>}
      <p className="small">
        {webhook.enabled ? <strong>Enabled</strong> : <strong className="danger-text">Disabled</strong>} ·{' '}
        {webhook.eventTypes.length > 0 ? webhook.eventTypes.join(', ') : 'every event'}
      </p>
      {!webhook.enabled && webhook.disabledReason && (
        <p className="small">
          {webhook.disabledReason}
          {webhook.disabledAt ? ` (${dateTime(webhook.disabledAt)})` : ''}
        </p>
      )}
      <p className="muted small">
        {failures === 0 ? 'No failed deliveries in a row' : `${failures} failed deliver${failures === 1 ? 'y' : 'ies'} in a row (turned off at ${DISABLED_AT})`} · added{' '}
        {dateTime(webhook.createdAt)}
      </p>
      <div className="actions">
        <button type="button" className="secondary" disabled={test.fetching} onClick={onTest}>
          {test.fetching ? 'Sending…' : 'Send test'}
        </button>
        <button type="button" className="secondary" disabled={update.fetching} onClick={onToggle}>
          {webhook.enabled ? 'Disable' : 'Enable'}
        </button>
        <button type="button" className="secondary" aria-expanded={open} aria-controls={deliveriesId} onClick={() => setOpen((now) => !now)}>
          {open ? 'Hide deliveries' : 'Show deliveries'}
        </button>
        <ConfirmButton
          label="Delete webhook"
          confirmLabel="Yes, delete it"
          disabled={removal.fetching}
          onConfirm={() => void deleteWebhook({ id: webhook.id }).then((r) => haptic(r.error ? 'error' : 'success'))}
        />
      </div>
      <p role="status" className="muted small">
        {test.data && !test.fetching ? 'Test event queued; it is listed below.' : ''}
      </p>
      <ErrorNote error={test.error ?? update.error ?? removal.error} />
      <div id={deliveriesId}>{open && <RecentDeliveries webhookId={webhook.id} />}</div>
    </li>
  );
}

function RecentDeliveries({ webhookId }: { webhookId: string }) {
  const [{ data, fetching, error }, reexecute] = useQuery({ query: WebhookRecentDeliveriesDocument, variables: { id: webhookId, first: RECENT }, requestPolicy: 'cache-and-network' });
  const webhook = data?.node && 'deliveries' in data.node ? data.node : null;
  const deliveries = webhook?.deliveries.edges.map((edge) => edge.node);
  const pending = deliveries?.some((delivery) => delivery.status === 'PENDING') ?? false;

  useEffect(() => {
    if (!pending) return;
    const timer = setInterval(() => reexecute({ requestPolicy: 'network-only' }), PENDING_POLL_MS);
    return () => clearInterval(timer);
  }, [pending, reexecute]);

  if (!webhook) return fetching ? <Loading what="deliveries" /> : <ErrorNote error={error} onRetry={() => reexecute({ requestPolicy: 'network-only' })} />;
  return (
    <section className="deliveries" aria-label={`Recent deliveries to ${webhook.url}`}>
      <p className="small">
        <strong>Recent deliveries</strong>{' '}
        <span className="muted">
          (latest {deliveries?.length ?? 0} of {webhook.deliveries.totalCount})
        </span>
      </p>
      {deliveries?.length === 0 && <p className="muted small">Nothing sent yet. Press “Send test” to try it.</p>}
      <ul className="list">
        {deliveries?.map((delivery) => (
          <li key={delivery.id} className="row" data-testid="webhook-delivery">
            <span>
              <code>{delivery.eventType}</code> · <strong className={delivery.status === 'FAILED' ? 'danger-text' : ''}>{capitalise(delivery.status)}</strong>
            </span>
            <span className="muted small">
              {delivery.attempts} attempt{delivery.attempts === 1 ? '' : 's'}
              {delivery.lastResponseStatus !== null ? ` · answered HTTP ${delivery.lastResponseStatus}` : ''} · {dateTime(delivery.createdAt)}
            </span>
            {delivery.lastError && <span className="small danger-text">{delivery.lastError}</span>}
            {delivery.status === 'PENDING' && delivery.nextAttemptAt && delivery.attempts > 0 && (
              <span className="muted small">next try {dateTime(delivery.nextAttemptAt)}</span>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
