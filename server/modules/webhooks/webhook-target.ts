import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { classifyAddress } from './address-classifier.js';
import { normaliseHost, type WebhookSettings } from './webhook.settings.js';
import { WebhookUrlRefusedError } from './webhooks.errors.js';

/** An address to connect to, as dns.lookup gives it. */
export interface TargetAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to every address it has (dns.lookup with all: true by default). */
export type Resolver = (host: string) => Promise<TargetAddress[]>;

export const systemResolver: Resolver = async (host) => (await lookup(host, { all: true, verbatim: true })).map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));

const MAX_URL_LENGTH = 2048;

type UrlRules = Pick<WebhookSettings, 'httpsOnly'>;

/** Checks the URL's form: absolute http(s) (https only in production), a host, a sane length. */
export function parseWebhookUrl(raw: string, rules: UrlRules): URL {
  if (raw.length > MAX_URL_LENGTH) throw new WebhookUrlRefusedError(`at most ${MAX_URL_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new WebhookUrlRefusedError('not an absolute URL');
  }
  const allowed = rules.httpsOnly ? ['https:'] : ['https:', 'http:'];
  if (!allowed.includes(url.protocol)) throw new WebhookUrlRefusedError(rules.httpsOnly ? 'must use https' : 'must use http or https');
  if (!url.hostname) throw new WebhookUrlRefusedError('has no host');
  return url;
}

/**
 * Where a delivery to `url` may connect: the host's addresses, every one of them public, unless
 * the host is allowlisted. Judging all addresses (not just the first) keeps a name with one public
 * and one private record from slipping through; the caller connects to the address returned, so
 * the name is not resolved a second time between check and use (DNS rebinding).
 */
export async function resolveWebhookTarget(url: URL, settings: Pick<WebhookSettings, 'allowedHosts'>, resolve: Resolver = systemResolver): Promise<TargetAddress> {
  const host = normaliseHost(url.hostname);
  const allowlisted = settings.allowedHosts.has(host);
  let addresses: TargetAddress[];
  if (isIP(host)) {
    addresses = [{ address: host, family: isIP(host) === 6 ? 6 : 4 }];
  } else {
    addresses = await resolve(host).catch(() => []);
    if (addresses.length === 0) throw new WebhookUrlRefusedError(`host "${host}" does not resolve`);
  }
  if (!allowlisted) {
    for (const { address } of addresses) {
      const kind = classifyAddress(address);
      if (kind !== 'public') throw new WebhookUrlRefusedError(isIP(host) ? `${kind} addresses are not allowed` : `host "${host}" resolves to a ${kind} address`);
    }
  }
  return addresses[0]!;
}

/** parseWebhookUrl and resolveWebhookTarget together: what create and update check. */
export async function checkWebhookUrl(raw: string, settings: Pick<WebhookSettings, 'allowedHosts' | 'httpsOnly'>, resolve?: Resolver): Promise<string> {
  const url = parseWebhookUrl(raw, settings);
  await resolveWebhookTarget(url, settings, resolve);
  return url.toString();
}
