import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { ErrorNote, Loading } from '../components/states';
import { GenerateFormDocument, GenerateTrackDocument, type GenerateFormQuery } from '../generated/graphql';
import { capitalise, credits, dateTime } from '../format';
import { navigate } from '../router';
import { useMainButton } from '../telegram/buttons';
import { haptic } from '../telegram/web-app';

type Price = GenerateFormQuery['priceCatalog'][number];

const MIN_SECONDS = 5;
const MAX_SECONDS = 240;

/** The server's formula (jobs.service priceOf): the first minute, then each started minute. */
export function priceFor(price: Price, seconds: number): number {
  return price.credits + Math.max(0, Math.ceil(seconds / 60) - 1) * price.creditsPerExtraMinute;
}

/** A fresh idempotency key; randomUUID needs a secure context, which a LAN dev server is not. */
function newRequestKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Prompt, style and length; the price and your balance are shown before anything is spent. */
export function GenerateScreen() {
  const [{ data, fetching, error }, refetch] = useQuery({ query: GenerateFormDocument, requestPolicy: 'cache-and-network' });
  const [prompt, setPrompt] = useState('');
  const [title, setTitle] = useState('');
  const [style, setStyle] = useState('');
  const [seconds, setSeconds] = useState(30);
  const [model, setModel] = useState('mv-lite');
  // One key per intended generation: a retry after a lost answer cannot charge twice.
  const [requestKey, setRequestKey] = useState(newRequestKey);
  const [submission, generateTrack] = useMutation(GenerateTrackDocument);

  const prices = data?.priceCatalog.filter((p) => p.active) ?? [];
  const price = prices.find((p) => p.model === model) ?? prices[0];
  const account = data?.viewer.credits;
  const cost = price ? priceFor(price, seconds) : null;
  const validLength = Number.isInteger(seconds) && seconds >= MIN_SECONDS && seconds <= MAX_SECONDS;
  const short = account && cost !== null ? cost - account.available : 0;
  const canSubmit = Boolean(account && price && prompt.trim() && validLength && short <= 0 && !submission.fetching);

  const submit = async (event?: FormEvent) => {
    event?.preventDefault();
    if (!canSubmit || !price) return;
    const input = { prompt: prompt.trim(), title: title.trim() || undefined, style: style.trim() || undefined, durationSeconds: seconds, model: price.model, idempotencyKey: requestKey };
    const result = await generateTrack({ input });
    if (result.data) {
      haptic('success');
      setRequestKey(newRequestKey());
      navigate({ screen: 'jobs' });
    } else {
      haptic('error');
    }
  };

  const usesMainButton = useMainButton({
    text: cost !== null ? `Generate · ${credits(cost)}` : 'Generate',
    enabled: canSubmit,
    busy: submission.fetching,
    onClick: () => void submit(),
  });

  if (!data) {
    return (
      <main className="screen">
        <h1>Generate</h1>
        {fetching && <Loading what="prices and your balance" />}
        <ErrorNote error={error} onRetry={() => refetch({ requestPolicy: 'network-only' })} />
      </main>
    );
  }

  return (
    <main className="screen">
      <h1>Generate</h1>
      <form className="card" onSubmit={(event) => void submit(event)} aria-describedby="cost-summary">
        <label>
          What is the song about?
          <textarea required maxLength={1000} rows={3} value={prompt} onChange={(e) => setPrompt(e.target.value)} placeholder="a calm piano piece about rain" />
        </label>
        <label>
          Title (optional)
          <input maxLength={200} value={title} onChange={(e) => setTitle(e.target.value)} />
        </label>
        <label>
          Style (optional)
          <input maxLength={100} value={style} onChange={(e) => setStyle(e.target.value)} placeholder="lo-fi hip hop" />
        </label>
        <label>
          Length in seconds ({MIN_SECONDS} to {MAX_SECONDS})
          <input type="number" min={MIN_SECONDS} max={MAX_SECONDS} step={1} required value={Number.isNaN(seconds) ? '' : seconds} onChange={(e) => setSeconds(e.target.valueAsNumber)} />
        </label>
        <label>
          Quality
          <select value={price?.model ?? ''} onChange={(e) => setModel(e.target.value)}>
            {prices.map((p) => (
              <option key={p.model} value={p.model}>
                {p.model}: {p.description} ({credits(p.credits)} per minute)
              </option>
            ))}
          </select>
        </label>
        <CostSummary cost={cost} account={account} short={short} />
        {!validLength && <p className="error">Choose a length from {MIN_SECONDS} to {MAX_SECONDS} seconds.</p>}
        <ErrorNote error={submission.error} />
        {!usesMainButton && (
          <button type="submit" disabled={!canSubmit}>
            {submission.fetching ? 'Starting…' : cost !== null ? `Generate for ${credits(cost)}` : 'Generate'}
          </button>
        )}
      </form>
    </main>
  );
}

function CostSummary({ cost, account, short }: { cost: number | null; account?: GenerateFormQuery['viewer']['credits']; short: number }) {
  if (cost === null || !account) return null;
  return (
    <div id="cost-summary" className="summary" aria-live="polite">
      <p>
        Price: <strong data-testid="price">{credits(cost)}</strong>
      </p>
      <p>
        Your balance: <strong>{credits(account.available)}</strong> available{account.held > 0 ? `, ${credits(account.held)} held for running jobs` : ''}
      </p>
      {short > 0 && (
        <p className="error" role="alert">
          You need {credits(short)} more to generate this. Choose a shorter length or a cheaper quality, or wait for your {capitalise(account.tier)} daily grant of {credits(account.dailyGrant)} on {dateTime(account.nextGrantAt)}.
        </p>
      )}
    </div>
  );
}
