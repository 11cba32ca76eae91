import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { TargetAddress } from './webhook-target.js';

/** What one POST to a receiver came to. */
export interface SendOutcome {
  /** The receiver's status; null when none came (refused, reset, timed out). */
  status: number | null;
  ok: boolean;
  /** Why it did not succeed, for the attempt log; never holds headers or the body sent. */
  error: string | null;
  durationMs: number;
}

/** Response bytes read at most; the body only tells us the receiver is done, not what it thinks. */
const MAX_RESPONSE_BYTES = 64 * 1024;

/** Connects to the checked address whatever the name resolves to by now. */
function pinned(target: TargetAddress): LookupFunction {
  return (_hostname, options, callback) => {
    if (options.all) callback(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  };
}

/**
 * POSTs `body` to `url`, connecting to `target`. No redirects are followed (a 3xx is a failure),
 * no connection is reused, the whole exchange is bounded by `timeoutMs`, and at most 64 KiB of
 * the answer is read. 2xx is success. Never rejects: failures are outcomes.
 */
export function postWebhook(url: URL, target: TargetAddress, headers: Record<string, string>, body: string, timeoutMs: number): Promise<SendOutcome> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  return new Promise((resolve) => {
    let settled = false;
    const finish = (status: number | null, error: string | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.destroy();
      const ok = status !== null && status >= 200 && status < 300;
      resolve({ status, ok, error: ok ? null : (error ?? `HTTP ${status}`), durationMs: elapsed() });
    };
    const transport = url.protocol === 'https:' ? https : http;
    const request = transport.request(url, {
      method: 'POST',
      agent: false,
      lookup: pinned(target),
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body).toString(), 'user-agent': 'MusicVerse-Webhooks/1.0', ...headers },
    });
    const timer = setTimeout(() => finish(null, `timed out after ${timeoutMs} ms`), timeoutMs);
    request.on('response', (response) => {
      const status = response.statusCode ?? null;
      const error = status !== null && status >= 300 && status < 400 ? `HTTP ${status} (redirects are not followed)` : null;
      let read = 0;
      response.on('data', (chunk: Buffer) => {
        read += chunk.length;
        if (read >= MAX_RESPONSE_BYTES) finish(status, error);
      });
      response.on('end', () => finish(status, error));
      response.on('error', () => finish(status, error));
    });
    request.on('error', (cause: NodeJS.ErrnoException) => finish(null, `could not deliver: ${cause.code ?? cause.message}`));
    request.end(body);
  });
}
