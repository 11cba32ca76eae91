import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { Page } from 'playwright-core';

/** Launch arguments shared with the Playground test, plus audio playback without a click. */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-background-networking', '--disable-gpu', '--disable-component-update', '--disable-sync', '--no-first-run', '--autoplay-policy=no-user-gesture-required'];

export const SCREENSHOTS = fileURLToPath(new URL('../../../test-results/mini-app/', import.meta.url));

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Telegram's own light palette (its hint grey is too faint on white; the app must cope). */
export const THEME = { bg_color: '#ffffff', text_color: '#000000', hint_color: '#999999', link_color: '#2481cc', button_color: '#2481cc', button_text_color: '#ffffff', secondary_bg_color: '#efeff3' };

/**
 * Telegram on a phone as the page sees it: the app's bundled telegram-web-app.js sends every
 * request (ready, expand, the native buttons, haptics) to window.TelegramWebviewProxy, and
 * Telegram answers through Telegram.WebView.receiveEvent. This records each request in
 * window.__tg, in short words, and keeps the MainButton's last state so a test can read it and
 * press it the way Telegram does.
 */
export const TELEGRAM_BRIDGE = `
  window.__tg = { calls: [], mainButton: { visible: false, enabled: false, text: '' } };
  window.TelegramWebviewProxy = {
    postEvent(type, json) {
      const data = json ? JSON.parse(json) : {};
      const calls = window.__tg.calls;
      if (type === 'web_app_ready') calls.push('ready');
      else if (type === 'web_app_expand') calls.push('expand');
      else if (type === 'web_app_setup_back_button') calls.push(data.is_visible ? 'BackButton.show' : 'BackButton.hide');
      else if (type === 'web_app_trigger_haptic_feedback') calls.push('haptic ' + (data.notification_type || data.impact_style || data.type));
      else if (type === 'web_app_setup_main_button') window.__tg.mainButton = { visible: Boolean(data.is_visible), enabled: Boolean(data.is_active), text: data.text || '' };
      else calls.push(type);
    },
  };`;

/** The URL Telegram opens: the page with its launch parameters in the hash. */
export function launchUrl(apiUrl: string, initData: string): string {
  const params = new URLSearchParams({ tgWebAppData: initData, tgWebAppVersion: '8.0', tgWebAppPlatform: 'android', tgWebAppThemeParams: JSON.stringify(THEME) });
  return `${apiUrl}/app/#${params.toString()}`;
}

/** Presses a native button as Telegram does when the user taps it. */
export function pressTelegramButton(page: Page, button: 'main' | 'back'): Promise<unknown> {
  return page.evaluate(`Telegram.WebView.receiveEvent('${button}_button_pressed')`);
}

/** The calls the app made on the Telegram stubs so far. */
export function telegramCalls(page: Page): Promise<string[]> {
  return page.evaluate('window.__tg.calls') as Promise<string[]>;
}

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/**
 * Runs axe-core on the page as it is and fails on serious or critical violations. The source is
 * evaluated through the debugger protocol, which the page's Content-Security-Policy (scripts
 * from its own origin only) does not apply to.
 */
export async function expectAccessible(page: Page, screen: string): Promise<void> {
  if (!(await page.evaluate('typeof window.axe === "object"'))) await page.evaluate(AXE_SOURCE);
  const violations = (await page.evaluate(`axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 3).map((n) => n.target.join(' ')),
  })))`)) as Violation[];
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious, `${screen}: ${JSON.stringify(serious, null, 1)}`).toEqual([]);
}

/** A 360 px phone must not scroll sideways. */
export async function expectNoSidewaysScroll(page: Page, screen: string): Promise<void> {
  const width = (await page.evaluate('document.documentElement.scrollWidth')) as number;
  expect(width, `${screen} is ${width}px wide`).toBeLessThanOrEqual(360);
}

/** Checks a screen (one h1, accessible, fits the phone) and saves its screenshot. */
export async function checkScreen(page: Page, screen: string, heading: string | RegExp): Promise<void> {
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
  expect(await page.getByRole('heading', { level: 1 }).count(), `${screen} has one h1`).toBe(1);
  await expectAccessible(page, screen);
  await expectNoSidewaysScroll(page, screen);
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOTS}${screen}.png`, fullPage: true });
}
