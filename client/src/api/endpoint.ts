/** The API answers on the page's own origin: /graphql over HTTP and WebSocket (vite dev proxies it). */
export const GRAPHQL_URL = new URL('/graphql', window.location.href).toString();
export const GRAPHQL_WS_URL = GRAPHQL_URL.replace(/^http/, 'ws');
