import { useSyncExternalStore } from 'react';
import { Provider, useQuery, useSubscription } from 'urql';
import { createApiClients, type ApiClients } from './api/client';
import { sessions } from './auth/session';
import { SignIn } from './auth/sign-in';
import { CreditsChangedDocument, CreditsDocument, JobUpdatedDocument } from './generated/graphql';
import { credits } from './format';
import { hrefOf, useRoute, type Route } from './router';
import { BalanceScreen } from './screens/balance';
import { DeveloperScreen } from './screens/developer';
import { GenerateScreen } from './screens/generate';
import { JobsScreen } from './screens/jobs';
import { LibraryScreen } from './screens/library';
import { TrackScreen } from './screens/track';

const TABS: { route: Route; label: string }[] = [
  { route: { screen: 'library' }, label: 'Library' },
  { route: { screen: 'generate' }, label: 'Generate' },
  { route: { screen: 'jobs' }, label: 'Jobs' },
  { route: { screen: 'balance' }, label: 'Balance' },
  { route: { screen: 'developer' }, label: 'Developer' },
];

let current: { userId: string; clients: ApiClients } | null = null;

/** One client (cache + socket) per signed-in user; a different user starts from scratch. */
function clientsFor(userId: string | undefined): ApiClients | null {
  if (current && current.userId === userId) return current.clients;
  current?.clients.socket.dispose();
  current = null;
  if (!userId) return null;
  const clients = createApiClients();
  current = { userId, clients };
  return clients;
}

export function App() {
  const session = useSyncExternalStore(
    (listener) => sessions.subscribe(listener),
    () => sessions.current(),
  );
  const clients = clientsFor(session?.user.id);
  if (!clients) return <SignIn />;
  return (
    <Provider value={clients.client}>
      <Shell />
    </Provider>
  );
}

function Shell() {
  const route = useRoute();
  // Live for the whole session: job changes and balance changes land in the shared cache.
  useSubscription({ query: JobUpdatedDocument });
  useSubscription({ query: CreditsChangedDocument });
  const [{ data }] = useQuery({ query: CreditsDocument });
  const account = data?.viewer.credits;
  const tab = route.screen === 'track' ? 'library' : route.screen;

  return (
    <div className="shell">
      <header className="topbar">
        <span className="brand">MusicVerse</span>
        <a className="balance-chip" href={hrefOf({ screen: 'balance' })} data-testid="balance-chip">
          {account ? credits(account.available) : '…'}
          <span className="visually-hidden"> available, open balance</span>
        </a>
      </header>
      <nav className="tabs" aria-label="Screens">
        {TABS.map(({ route: target, label }) => (
          <a key={label} href={hrefOf(target)} aria-current={target.screen === tab ? 'page' : undefined}>
            {label}
          </a>
        ))}
      </nav>
      <Screen route={route} />
    </div>
  );
}

function Screen({ route }: { route: Route }) {
  switch (route.screen) {
    case 'library':
      return <LibraryScreen />;
    case 'track':
      return <TrackScreen id={route.id} />;
    case 'generate':
      return <GenerateScreen />;
    case 'jobs':
      return <JobsScreen />;
    case 'balance':
      return <BalanceScreen />;
    case 'developer':
      return <DeveloperScreen />;
  }
}
