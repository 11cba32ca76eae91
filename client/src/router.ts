import { useEffect, useState } from 'react';

/** The screens, addressed by the URL hash so a reload or Telegram's back gesture keeps the place. */
export type Route =
  | { screen: 'library' }
  | { screen: 'track'; id: string }
  | { screen: 'generate' }
  | { screen: 'jobs' }
  | { screen: 'balance' }
  | { screen: 'developer' };

export function parseRoute(hash: string): Route {
  const [, screen = '', id] = hash.replace(/^#/, '').split('/');
  switch (screen) {
    case 'track':
      return id ? { screen: 'track', id: decodeURIComponent(id) } : { screen: 'library' };
    case 'generate':
    case 'jobs':
    case 'balance':
    case 'developer':
      return { screen };
    default:
      return { screen: 'library' };
  }
}

export function hrefOf(route: Route): string {
  return route.screen === 'track' ? `#/track/${encodeURIComponent(route.id)}` : route.screen === 'library' ? '#/' : `#/${route.screen}`;
}

export function navigate(route: Route): void {
  window.location.hash = hrefOf(route);
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
