import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiServer } from '../../server/app.js';
import { startTestApi } from '../support/api.js';
import { newTelegramId } from '../support/telegram.js';

/**
 * The Playground as a developer meets it: Debian's chromium opens GET /graphql with every
 * request to anywhere but the API refused, signs in with devSignIn (the test API runs with
 * DEV_LOGIN=1), puts the token in the headers editor and reads their own user back.
 */
const SCREENSHOTS = fileURLToPath(new URL('../../test-results/', import.meta.url));
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-background-networking', '--disable-gpu', '--disable-component-update', '--disable-sync', '--no-first-run'];

let api: ApiServer;
let browser: Browser;

beforeAll(async () => {
  api = await startTestApi();
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
});

afterAll(async () => {
  await browser?.close();
  await api?.stop();
});

const QUERY_EDITOR = '.graphiql-query-editor .monaco-editor';
/** The variables and headers editors share one panel; Monaco names each model's file. */
const HEADERS_EDITOR = '.graphiql-editor-tool .monaco-editor[data-uri$="headers.json"]';

/** Replaces the text of a Monaco editor as if pasted (typing would auto-close brackets). */
async function replaceEditorText(page: Page, selector: string, text: string): Promise<void> {
  const editor = page.locator(selector);
  await editor.click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(text);
}

/**
 * Runs `operation` (the one in the editor) and resolves with the response pane's text once
 * `expected` shows. GraphiQL names the tab after the operation once it has parsed the edit;
 * running before that would send the previous operation's name.
 */
async function execute(page: Page, operation: string, expected: string): Promise<string> {
  await page.locator('.graphiql-tab-active', { hasText: operation }).waitFor();
  await page.locator('.graphiql-execute-button').click();
  const response = page.locator('.graphiql-response');
  await response.getByText(expected).first().waitFor();
  // Monaco renders spaces as no-break spaces.
  return (await response.innerText()).replace(/\u00a0/g, ' ');
}

describe('Playground (GET /graphql in a browser)', { timeout: 60_000 }, () => {
  it('works with no internet: signs in with devSignIn, sends the token from the headers editor, shows the viewer', async () => {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    // Well inside the test's own timeout, so a stuck step fails with the selector it waited on.
    page.setDefaultTimeout(10_000);
    const origin = new URL(api.url).origin;
    const outside: string[] = [];
    // Anything not served by the API is refused and remembered: the page must not need it.
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (new URL(url).origin === origin) return route.continue();
      outside.push(url);
      return route.abort('internetdisconnected');
    });
    page.on('websocket', (socket) => {
      if (new URL(socket.url()).host !== new URL(origin).host) outside.push(socket.url());
    });
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));

    try {
      const loaded = await page.goto(`${api.url}/graphql`);
      expect(loaded?.status()).toBe(200);
      await expect(page.title()).resolves.toBe('MusicVerse Playground');
      await page.locator(QUERY_EDITOR).waitFor();

      const telegramId = String(newTelegramId());
      await replaceEditorText(page, QUERY_EDITOR, `mutation SignIn { devSignIn(input: { telegramId: "${telegramId}", firstName: "Paula", username: "paula_plays" }) { accessToken user { firstName } } }`);
      const signIn = await execute(page, 'SignIn', 'accessToken');
      // The response pane wraps the long token over several lines; the token has no spaces.
      const token = /"accessToken":\s*"([^"]+)"/.exec(signIn)?.[1]?.replace(/\s+/g, '');
      expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);

      await page.getByRole('button', { name: 'Headers' }).click();
      await replaceEditorText(page, HEADERS_EDITOR, `{ "Authorization": "Bearer ${token}" }`);
      await replaceEditorText(page, QUERY_EDITOR, 'query Me { viewer { user { firstName username telegramId } } }');
      const me = await execute(page, 'Me', 'paula_plays');
      expect(me).toContain('"firstName": "Paula"');
      expect(me).toContain(`"telegramId": "${telegramId}"`);

      mkdirSync(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: `${SCREENSHOTS}playground.png` });
      expect(outside).toEqual([]);
      expect(pageErrors).toEqual([]);
    } catch (error) {
      // What the page showed when it went wrong, for whoever reads the failure.
      mkdirSync(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: `${SCREENSHOTS}playground-failure.png` }).catch(() => undefined);
      throw new Error(`${error instanceof Error ? error.message : String(error)}\nrefused: ${outside.join(', ')}\npage errors: ${pageErrors.join(', ')}`, { cause: error });
    } finally {
      await context.close();
    }
  });
});
