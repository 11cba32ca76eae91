import { useState } from 'react';
import { useQuery } from 'urql';
import { SignOutCard } from '../auth/sign-out';
import { Empty, ErrorNote, Loading } from '../components/states';
import { CreditsDocument, TransactionsDocument } from '../generated/graphql';
import { capitalise, credits, dateTime } from '../format';

const PAGE = 20;

/** Available and held credits, the plan, the next grant, the journal a page at a time, and sign-out. */
export function BalanceScreen() {
  const [{ data: creditsData, error: creditsError }, refetchCredits] = useQuery({ query: CreditsDocument, requestPolicy: 'cache-and-network' });
  const [after, setAfter] = useState<string | null>(null);
  // graphcache's relayPagination joins the pages: the list grows with each "Load more".
  const [{ data, fetching, error }] = useQuery({ query: TransactionsDocument, variables: { first: PAGE, after }, requestPolicy: 'cache-and-network' });
  const account = creditsData?.viewer.credits;
  const history = data?.viewer.transactions;

  return (
    <main className="screen">
      <h1>Balance</h1>
      {!account && !creditsError && <Loading what="your balance" />}
      <ErrorNote error={account ? undefined : creditsError} onRetry={() => refetchCredits({ requestPolicy: 'network-only' })} />
      {account && (
        <section className="card stats" aria-label="Credits">
          <p>
            <span className="muted">Available</span> <strong data-testid="available">{credits(account.available)}</strong>
          </p>
          <p>
            <span className="muted">Held for running jobs</span> <strong>{credits(account.held)}</strong>
          </p>
          <p>
            <span className="muted">Plan</span> <strong>{capitalise(account.tier)}</strong>
          </p>
          <p>
            <span className="muted">Next daily grant</span> <strong>{credits(account.dailyGrant)}</strong> on {dateTime(account.nextGrantAt)}
          </p>
        </section>
      )}
      <section aria-labelledby="history-heading">
        <h2 id="history-heading">History</h2>
        {!history && fetching && <Loading what="your history" />}
        <ErrorNote error={history ? undefined : error} />
        {history && history.edges.length === 0 && <Empty>No credit movements yet.</Empty>}
        {history && history.edges.length > 0 && (
          <ul className="list">
            {history.edges.map(({ node }) => (
              <li key={node.id} className="row">
                <span>
                  {capitalise(node.type)} · {node.reason}
                </span>
                <strong className={node.availableDelta < 0 ? 'minus' : 'plus'}>{node.availableDelta > 0 ? `+${node.availableDelta}` : node.availableDelta}</strong>
                <span className="muted small">{dateTime(node.createdAt)}</span>
              </li>
            ))}
          </ul>
        )}
        {history?.pageInfo.hasNextPage && (
          <button type="button" className="secondary" disabled={fetching} onClick={() => setAfter(history.pageInfo.endCursor)}>
            {fetching ? 'Loading…' : 'Load more'}
          </button>
        )}
        {history && (
          <p className="muted small">
            Showing {history.edges.length} of {history.totalCount}
          </p>
        )}
      </section>
      <SignOutCard />
    </main>
  );
}
