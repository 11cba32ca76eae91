import type { IncomingMessage } from 'node:http';
import proxyAddr from 'proxy-addr';

/** Proxies on this machine (a local reverse proxy) may say whom they forward for; no one else may. */
export const TRUSTED_PROXIES = 'loopback';
const trusted = proxyAddr.compile(TRUSTED_PROXIES);

/** The address a request came from: X-Forwarded-For as far as trusted proxies vouch for it. */
export function clientAddressOf(req: IncomingMessage): string | null {
  return req.socket.remoteAddress ? proxyAddr(req, trusted) : null;
}
