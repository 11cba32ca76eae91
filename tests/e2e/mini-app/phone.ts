import { expect } from 'vitest';
import type { Browser, BrowserContext, Page, WebSocket } from 'playwright-core';
import { TELEGRAM_BRIDGE } from './browser.js';

/**
 * A phone-sized page (360x740) that may only talk to the API: anything else is refused and
 * remembered, as are page errors and the WebSockets the app opens. `inTelegram` adds the bridge
 * a phone's Telegram provides (TELEGRAM_BRIDGE); open launchUrl() then.
 */
export interface Visit {
  context: BrowserContext;
  page: Page;
  outside: string[];
  pageErrors: string[];
  sockets: WebSocket[];
  /** Resolves when the nth socket (0-based) has been acknowledged by the server. */
  acked: (n: number) => Promise<void>;
}

export async function openPhone(browser: Browser, apiUrl: string, inTelegram = false): Promise<Visit> {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const origin = new URL(apiUrl).origin;
  const outside: string[] = [];
  const pageErrors: string[] = [];
  const sockets: WebSocket[] = [];
  const acks: Promise<void>[] = [];
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (new URL(url).origin === origin) return route.continue();
    outside.push(url);
    return route.abort('internetdisconnected');
  });
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('websocket', (socket) => {
    if (new URL(socket.url()).host !== new URL(origin).host) outside.push(socket.url());
    sockets.push(socket);
    const ack = socket.waitForEvent('framereceived', { predicate: (frame) => String(frame.payload).includes('connection_ack'), timeout: 10_000 }).then(() => undefined);
    // A socket opened as the page closes (a reconnect after sign-out) never gets its ack; only
    // an ack a test awaits (acked) may fail it, not one nobody waits for.
    ack.catch(() => undefined);
    acks.push(ack);
  });
  if (inTelegram) await page.addInitScript({ content: TELEGRAM_BRIDGE });
  const acked = async (n: number) => {
    await expect.poll(() => acks.length, { timeout: 10_000 }).toBeGreaterThan(n);
    await acks[n];
  };
  return { context, page, outside, pageErrors, sockets, acked };
}
