import { mkdtemp, rm } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_BOT_TOKEN } from '../../support/api.js';
import { dataOf, gql } from '../../support/graphql-client.js';
import { freePort } from '../../support/processes.js';
import { startGenerationStack, type GenerationStack } from '../../support/generation-stack.js';
import { initDataFor, newTelegramId } from '../../support/telegram.js';
import { verifyWebhook } from '../../../sdk-js/src/core/webhooks.js';
import { startReceiver } from '../../integration/webhooks/webhooks.harness.js';
import { CHROMIUM_ARGS, SCREENSHOTS, THEME, checkScreen, expectAccessible, launchUrl, pressTelegramButton, telegramCalls } from './browser.js';
import { openPhone } from './phone.js';

/**
 * The Mini App as a Telegram user meets it: Debian's chromium at phone size opens /app with
 * signed initData injected the way Telegram's WebView provides it, every request to anywhere
 * but the API refused. The client is built once with Vite into a temporary directory that the
 * API serves (MINI_APP_DIR); a worker with the local provider makes real audio and delivers
 * webhooks (127.0.0.1 is allowlisted so a local receiver can stand in for the developer's server).
 */
const VITE_CONFIG = fileURLToPath(new URL('../../../client/vite.config.ts', import.meta.url));

let outDir: string;
let stack: GenerationStack;
let browser: Browser;
/** The raw TCP sockets of upgraded (WebSocket) connections, to drop them from the server side. */
const upgraded: Socket[] = [];

beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'mv-mini-app-'));
  // Vite builds for NODE_ENV, which vitest sets to "test": build what `npm start` ships instead.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ configFile: VITE_CONFIG, logLevel: 'silent', build: { outDir, emptyOutDir: true, sourcemap: false } });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
  // Real time: a 5 s track takes about 5 s, long enough to drop the socket while it runs.
  // A known port, so the signed audio links (PUBLIC_URL) point at this server's origin.
  const port = await freePort();
  stack = await startGenerationStack('miniapp', { MINI_APP_DIR: outDir, PROVIDER_LOCAL_SPEED: '1', PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`, WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' });
  stack.api.httpServer.on('upgrade', (_request, socket: Socket) => upgraded.push(socket));
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  if (outDir) await rm(outDir, { recursive: true, force: true });
});

function creditsIn(text: string | null): number {
  const match = /(-?\d+) credits?/.exec(text ?? '');
  if (!match) throw new Error(`no credit amount in "${text}"`);
  return Number(match[1]);
}

function openTab(page: Page, name: string): Promise<void> {
  return page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name }).click();
}

async function pressMainButton(page: Page, text: RegExp): Promise<void> {
  await expect.poll(() => page.evaluate('[window.__tg.mainButton.visible, window.__tg.mainButton.enabled, window.__tg.mainButton.text]')).toEqual([true, true, expect.stringMatching(text)]);
  await pressTelegramButton(page, 'main');
}

describe('Mini App in Telegram (GET /app)', { timeout: 60_000 }, () => {
  it('signs in with initData, generates a track with live progress, plays it, charges the price, and manages API keys', async () => {
    const user = { id: newTelegramId(), first_name: 'Mira', username: 'mira_makes' };
    const visit = await openPhone(browser, stack.api.url, true);
    const { page } = visit;
    try {
      await page.goto(launchUrl(stack.api.url, initDataFor(TEST_BOT_TOKEN, user)));
      await checkScreen(page, 'library', 'Library');
      await page.getByText('No tracks yet.').waitFor();
      const calls = await telegramCalls(page);
      expect(calls).toEqual(expect.arrayContaining(['ready', 'expand']));
      // Telegram's colours are used; its faint hint grey gives way to a readable one.
      expect(await page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--bg').trim()")).toBe(THEME.bg_color);
      expect(await page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--hint').trim()")).not.toBe(THEME.hint_color);
      await page.evaluate('window.__sameDocument = true');

      await openTab(page, 'Generate');
      await page.getByLabel('What is the song about?').waitFor();
      const balanceBefore = creditsIn(await page.getByTestId('balance-chip').textContent());
      await page.getByLabel('What is the song about?').fill('a calm piano piece about rain');
      await page.getByLabel('Style (optional)').fill('ambient');
      await page.getByLabel(/Length in seconds/).fill('5');
      const price = creditsIn(await page.getByTestId('price').textContent());
      expect(price).toBeGreaterThan(0);
      await expect.poll(() => page.locator('#cost-summary').textContent()).toContain(`${balanceBefore} credits available`);
      // Not enough credits for the best quality: the button is off and the page says what to do.
      await page.getByLabel('Quality').selectOption('mv-pro');
      await page.getByRole('alert').filter({ hasText: /You need \d+ credits? more/ }).waitFor();
      await expect.poll(() => page.evaluate('window.__tg.mainButton.enabled')).toBe(false);
      await page.getByLabel('Quality').selectOption('mv-lite');
      await checkScreen(page, 'generate', 'Generate');
      await pressMainButton(page, new RegExp(`${price} credits`));

      // Live progress: below 100 at first, then the socket drops (server side, no close frame)
      // mid-job. The app reconnects and resubscribes without a word, and the bar still reaches
      // 100 on the same page: only a subscription can bring that news, nothing refetches the list.
      await checkScreen(page, 'jobs-running', 'Jobs');
      const bar = page.getByRole('progressbar', { name: /Progress of/ }).first();
      expect(Number(await bar.getAttribute('aria-valuenow'))).toBeLessThan(100);
      await visit.acked(0);
      for (const socket of upgraded.splice(0)) socket.destroy();
      await visit.acked(1);
      await expect.poll(async () => Number(await bar.getAttribute('aria-valuenow')), { timeout: 20_000, interval: 50 }).toBe(100);
      expect(await page.getByRole('alert').count()).toBe(0);
      expect(await page.evaluate('window.__sameDocument')).toBe(true);
      expect(await telegramCalls(page)).toContain('haptic success');
      await checkScreen(page, 'jobs', 'Jobs');

      await page.getByRole('link', { name: /Open “/ }).click();
      await checkScreen(page, 'track', /piano piece about rain/);
      expect(await telegramCalls(page)).toContain('BackButton.show');
      const audio = "document.querySelector('[data-testid=track-audio]')";
      await page.evaluate(`${audio}.play()`);
      // Really playing: not paused, data for the current position, and the clock moving.
      await expect.poll(() => page.evaluate(`(() => { const a = ${audio}; return !a.paused && a.readyState >= 2 && a.currentTime > 0; })()`), { timeout: 10_000 }).toBe(true);
      await page.evaluate(`${audio}.pause()`);

      // A rename made elsewhere first: this screen's stale revision is refused and explained.
      const token = (await page.evaluate("JSON.parse(sessionStorage.getItem('musicverse.session')).accessToken")) as string;
      const trackId = decodeURIComponent(new URL(page.url()).hash.replace('#/track/', ''));
      const elsewhere = await fetch(`${stack.api.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: 'mutation($id: ID!) { updateTrack(id: $id, input: { title: "Rain (phone)" }) { revision } }', variables: { id: trackId } }),
      });
      expect(((await elsewhere.json()) as { data?: unknown }).data).toBeTruthy();
      await page.getByRole('textbox', { name: 'Title' }).fill('Rain study');
      await page.getByRole('button', { name: 'Rename' }).click();
      await page.getByRole('alert').filter({ hasText: 'your new title was not saved' }).waitFor();
      await page.getByRole('heading', { level: 1, name: 'Rain (phone)' }).waitFor();
      await page.getByRole('textbox', { name: 'Title' }).fill('Rain study');
      await page.getByRole('button', { name: 'Rename' }).click();
      await page.getByRole('heading', { level: 1, name: 'Rain study' }).waitFor();
      // Telegram's BackButton returns to the library, which now lists the track.
      await pressTelegramButton(page, 'back');
      await page.getByRole('heading', { level: 1, name: 'Library' }).waitFor();
      await page.getByText('1 version').waitFor();

      await openTab(page, 'Balance');
      await checkScreen(page, 'balance', 'Balance');
      await expect.poll(async () => creditsIn(await page.getByTestId('available').textContent())).toBe(balanceBefore - price);
      await page.getByText(/^Commit · /).first().waitFor();

      await openTab(page, 'Developer');
      await page.getByText('No API keys yet.').waitFor();
      await page.getByRole('textbox', { name: 'Key name' }).fill('phone script');
      await page.getByRole('checkbox', { name: /tracks:read/ }).check();
      await page.getByRole('button', { name: 'Create key' }).click();
      const key = await page.getByTestId('new-key').inputValue();
      expect(key).toMatch(/^amv_live_/);
      await checkScreen(page, 'developer-new-key', 'Developer');
      await page.getByRole('button', { name: 'I saved it' }).click();
      // Shown once: gone from the page, only its prefix is listed.
      expect(await page.content()).not.toContain(key);
      const item = page.getByTestId('api-key').filter({ hasText: 'phone script' });
      await item.getByText('Active').waitFor();
      await item.getByRole('button', { name: 'Revoke phone script' }).click();
      await item.getByRole('button', { name: 'Yes, revoke it now' }).click();
      await item.getByText('Revoked', { exact: true }).waitFor();
      const refused = await fetch(`${stack.api.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': key }, body: JSON.stringify({ query: '{ viewer { user { id } } }' }) });
      expect(((await refused.json()) as { errors?: { extensions: { code: string } }[] }).errors?.[0]?.extensions.code).toBe('UNAUTHENTICATED');
      await checkScreen(page, 'developer', 'Developer');

      expect(visit.outside).toEqual([]);
      expect(visit.pageErrors).toEqual([]);
    } catch (error) {
      await page.screenshot({ path: `${SCREENSHOTS}failure.png` }).catch(() => undefined);
      throw new Error(`${error instanceof Error ? error.message : String(error)}\nrefused: ${visit.outside.join(', ')}\npage errors: ${visit.pageErrors.join(', ')}\ncalls: ${JSON.stringify(await telegramCalls(page).catch(() => []))}`, { cause: error });
    } finally {
      await visit.context.close();
    }
  });
});

describe('Mini App in Telegram: Jobs', { timeout: 60_000 }, () => {
  it('cancels a running generation from the Jobs screen and gives every held credit back', async () => {
    const user = { id: newTelegramId(), first_name: 'Cato' };
    const visit = await openPhone(browser, stack.api.url, true);
    const { page } = visit;
    try {
      await page.goto(launchUrl(stack.api.url, initDataFor(TEST_BOT_TOKEN, user)));
      await page.getByRole('heading', { level: 1, name: 'Library' }).waitFor();
      await openTab(page, 'Generate');
      await page.getByLabel('What is the song about?').fill('a long slow drone for cancelling');
      // 60 s of audio at real-time speed: it is still running when the button is pressed.
      await page.getByLabel(/Length in seconds/).fill('60');
      const balanceBefore = creditsIn(await page.getByTestId('balance-chip').textContent());
      const price = creditsIn(await page.getByTestId('price').textContent());
      await pressMainButton(page, new RegExp(`${price} credits`));

      await page.getByRole('heading', { level: 1, name: 'Jobs' }).waitFor();
      const card = page.locator('li.card').filter({ hasText: 'a long slow drone for cancelling' });
      // The hold is visible in the header while the job runs.
      await expect.poll(async () => creditsIn(await page.getByTestId('balance-chip').textContent())).toBe(balanceBefore - price);
      await card.getByRole('button', { name: /^Cancel / }).click();
      await card.getByText(/^Cancelled · /).waitFor();
      expect(await card.getByRole('button', { name: /^Cancel / }).count()).toBe(0);
      await expect.poll(async () => creditsIn(await page.getByTestId('balance-chip').textContent())).toBe(balanceBefore);
      expect(await telegramCalls(page)).toContain('haptic success');
      expect(visit.pageErrors).toEqual([]);
    } finally {
      await visit.context.close();
    }
  });
});

describe('Mini App in Telegram: a long library', { timeout: 60_000 }, () => {
  it('shows the newest 50 tracks, then the rest on "Load more tracks", each once', async () => {
    const user = { id: newTelegramId(), first_name: 'Lena' };
    const initData = initDataFor(TEST_BOT_TOKEN, user);
    const signedIn = dataOf(await gql<{ authenticateTelegram: { user: { id: string } } }>(stack.api.url, 'mutation($d: String!) { authenticateTelegram(initData: $d) { user { id } } }', { variables: { d: initData } }));
    const userId = Buffer.from(signedIn.authenticateTelegram.user.id, 'base64url').toString('utf8').split(':')[1]!;
    const em = stack.api.infra.orm.em.fork();
    for (let i = 1; i <= 55; i += 1) {
      await em.execute(`insert into tracks (id, user_id, title, prompt, revision, created_at, updated_at) values (gen_random_uuid(), ?, ?, 'p', 1, now() - make_interval(secs => ?), now())`, [userId, `Song ${i}`, i]);
    }
    const visit = await openPhone(browser, stack.api.url, true);
    const { page } = visit;
    try {
      await page.goto(launchUrl(stack.api.url, initData));
      await page.getByText('55 tracks').waitFor();
      const titles = page.locator('main li.card a.title');
      await expect.poll(() => titles.count()).toBe(50);
      expect(await titles.first().textContent()).toBe('Song 1');
      await page.getByRole('button', { name: 'Load more tracks' }).click();
      await expect.poll(() => titles.count()).toBe(55);
      const all = await titles.allTextContents();
      expect(new Set(all).size).toBe(55);
      expect(all.at(-1)).toBe('Song 55');
      expect(await page.getByRole('button', { name: 'Load more tracks' }).count()).toBe(0);
      await expectAccessible(page, 'library (two pages)');
    } finally {
      await visit.context.close();
    }
  });
});

describe('Mini App in Telegram: projects', { timeout: 60_000 }, () => {
  it('files a track in a new project from the track screen, then in none', async () => {
    const user = { id: newTelegramId(), first_name: 'Pia' };
    const initData = initDataFor(TEST_BOT_TOKEN, user);
    const signedIn = dataOf(await gql<{ authenticateTelegram: { accessToken: string; user: { id: string } } }>(stack.api.url, 'mutation($d: String!) { authenticateTelegram(initData: $d) { accessToken user { id } } }', { variables: { d: initData } }));
    const userId = Buffer.from(signedIn.authenticateTelegram.user.id, 'base64url').toString('utf8').split(':')[1]!;
    await stack.api.infra.orm.em.fork().execute(`insert into tracks (id, user_id, title, prompt, revision, created_at, updated_at) values (gen_random_uuid(), ?, 'Field recording', 'p', 1, now(), now())`, [userId]);
    const projectOfTrack = async () => {
      const page = await gql<{ viewer: { tracks: { edges: Array<{ node: { project: { name: string } | null } }> } } }>(stack.api.url, '{ viewer { tracks { edges { node { project { name } } } } } }', { token: signedIn.authenticateTelegram.accessToken });
      return dataOf(page).viewer.tracks.edges[0]?.node.project?.name ?? null;
    };
    const visit = await openPhone(browser, stack.api.url, true);
    const { page } = visit;
    try {
      await page.goto(launchUrl(stack.api.url, initData));
      await page.getByRole('link', { name: 'Field recording' }).click();
      await page.getByLabel('New project').fill('Live set');
      await page.getByRole('button', { name: 'Create and file here' }).click();
      await expect.poll(() => page.locator('select option:checked').textContent()).toBe('Live set');
      await expect.poll(projectOfTrack).toBe('Live set');
      await expectAccessible(page, 'track with its project');

      await page.getByLabel('Filed in').selectOption({ label: 'No project' });
      await expect.poll(projectOfTrack).toBeNull();
      expect(await page.locator('select option:checked').textContent()).toBe('No project');
    } finally {
      await visit.context.close();
    }
  });
});

async function viewerCode(token: string): Promise<string | undefined> {
  const response = await fetch(`${stack.api.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query: '{ viewer { user { id } } }' }) });
  return ((await response.json()) as { errors?: { extensions: { code: string } }[] }).errors?.[0]?.extensions.code;
}

describe('Mini App in Telegram: webhooks and signing out', { timeout: 60_000 }, () => {
  it('adds a webhook with its secret shown once, delivers a test to the receiver, disables and deletes it, then signs out', async () => {
    const receiver = await startReceiver();
    const user = { id: newTelegramId(), first_name: 'Hugo' };
    const visit = await openPhone(browser, stack.api.url, true);
    const { page } = visit;
    try {
      await page.goto(launchUrl(stack.api.url, initDataFor(TEST_BOT_TOKEN, user)));
      await page.getByRole('heading', { level: 1, name: 'Library' }).waitFor();
      await openTab(page, 'Developer');
      await page.getByText('No webhooks yet.').waitFor();

      // A private address is refused, in words, beside the URL field.
      const urlField = page.getByRole('textbox', { name: 'Webhook URL' });
      await urlField.fill('http://10.0.0.1/hook');
      await page.getByRole('button', { name: 'Add webhook' }).click();
      const refusal = page.getByRole('alert').filter({ hasText: 'MusicVerse cannot send webhooks to this URL: private addresses are not allowed.' });
      await refusal.waitFor();
      expect(await urlField.getAttribute('aria-invalid')).toBe('true');
      expect(await urlField.getAttribute('aria-describedby')).toBe(await refusal.getAttribute('id'));
      await checkScreen(page, 'developer-webhook-refused', 'Developer');

      await urlField.fill(`${receiver.url}/phone`);
      expect(await refusal.count()).toBe(0);
      await page.getByRole('checkbox', { name: /generation\.completed/ }).check();
      await page.getByRole('button', { name: 'Add webhook' }).click();
      const secret = await page.getByTestId('new-webhook-secret').inputValue();
      expect(secret).toMatch(/^whsec_/);
      await checkScreen(page, 'developer-new-webhook', 'Developer');
      await page.getByRole('region', { name: /^New secret / }).getByRole('button', { name: 'I saved it' }).click();
      expect(await page.content()).not.toContain(secret);

      const card = page.getByTestId('webhook').filter({ hasText: `${receiver.url}/phone` });
      await card.getByText('Enabled', { exact: true }).waitFor();
      await card.getByText(/generation\.completed/).waitFor();
      await card.getByRole('button', { name: 'Send test' }).click();
      // It arrives, signed with the secret that was shown.
      const [arrived] = await receiver.waitFor('/phone', 1);
      expect(verifyWebhook<{ type: string }>(arrived!.rawBody, arrived!.headers, secret).type).toBe('webhook.test');
      const delivery = card.getByTestId('webhook-delivery').filter({ hasText: 'webhook.test' });
      await delivery.getByText('Succeeded').waitFor();
      await delivery.getByText(/1 attempt · answered HTTP 200/).waitFor();
      await checkScreen(page, 'developer-webhook-delivered', 'Developer');

      await card.getByRole('button', { name: 'Disable' }).click();
      await card.getByText('Disabled', { exact: true }).waitFor();
      await card.getByText('Disabled by its owner').waitFor();
      await card.getByRole('button', { name: 'Enable' }).waitFor();
      await card.getByRole('button', { name: 'Delete webhook' }).click();
      await card.getByRole('button', { name: 'Yes, delete it' }).click();
      await page.getByText('No webhooks yet.').waitFor();

      // Signing out ends the session on the server, forgets it here and closes the socket.
      const token = (await page.evaluate("JSON.parse(sessionStorage.getItem('musicverse.session')).accessToken")) as string;
      expect(visit.sockets.length).toBeGreaterThan(0);
      await openTab(page, 'Balance');
      await page.getByText(`Signed in as Hugo`).waitFor();
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByText('You are signed out.').waitFor();
      await page.getByText('Your session has ended on the server.').waitFor();
      // In Telegram it waits to be asked rather than signing straight back in from initData.
      await page.getByRole('button', { name: 'Sign in with Telegram' }).waitFor();
      expect(await page.evaluate("sessionStorage.getItem('musicverse.session')")).toBeNull();
      await expect.poll(() => visit.sockets.every((socket) => socket.isClosed())).toBe(true);
      expect(await viewerCode(token)).toBe('UNAUTHENTICATED');
      await checkScreen(page, 'signed-out', 'MusicVerse');
      expect(new URL(page.url()).hash).toBe('#/');
      // A reload is a fresh start: Telegram's initData signs in again.
      await page.reload();
      await page.getByRole('heading', { level: 1, name: 'Library' }).waitFor();

      expect(visit.outside).toEqual([]);
      expect(visit.pageErrors).toEqual([]);
    } catch (error) {
      await page.screenshot({ path: `${SCREENSHOTS}failure-webhooks.png`, fullPage: true }).catch(() => undefined);
      throw error;
    } finally {
      await visit.context.close();
      await receiver.stop();
    }
  });
});

describe('Mini App outside Telegram', { timeout: 30_000 }, () => {
  it('offers the dev sign-in when the server allows it and opens the library', async () => {
    const visit = await openPhone(browser, stack.api.url);
    try {
      await visit.page.goto(`${stack.api.url}/app/`);
      await checkScreen(visit.page, 'dev-sign-in', 'MusicVerse');
      await visit.page.getByLabel('Telegram id').fill(String(newTelegramId()));
      await visit.page.getByRole('button', { name: 'Sign in for development' }).click();
      await visit.page.getByRole('heading', { level: 1, name: 'Library' }).waitFor();
      await expectAccessible(visit.page, 'library (dev)');
      // Signing out returns to the dev sign-in, saying so.
      await openTab(visit.page, 'Balance');
      await visit.page.getByRole('button', { name: 'Sign out' }).click();
      await visit.page.getByText('You are signed out.').waitFor();
      await visit.page.getByRole('button', { name: 'Sign in for development' }).waitFor();
      expect(await visit.page.evaluate("sessionStorage.getItem('musicverse.session')")).toBeNull();
      await checkScreen(visit.page, 'dev-signed-out', 'MusicVerse');
      expect(visit.outside).toEqual([]);
      expect(visit.pageErrors).toEqual([]);
    } finally {
      await visit.context.close();
    }
  });
});
