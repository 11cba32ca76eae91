// Telegram's own telegram-web-app.js (vendored by @twa-dev/sdk, bundled: no outside script). It
// reads the launch parameters Telegram puts in the URL hash (#tgWebAppData=...&tgWebAppVersion=
// ...&tgWebAppThemeParams=...) and talks to the app around the page (TelegramWebviewProxy on
// phones, postMessage on the web): ready, expand, the native buttons, haptics, theme changes.
import TelegramSdkWebApp from '@twa-dev/sdk';

/**
 * The parts of Telegram's WebApp object (core.telegram.org/bots/webapps) the Mini App uses.
 * The bundled telegram-web-app.js always defines `window.Telegram.WebApp`; in a plain browser its
 * initData is empty, and every helper here does nothing.
 */
export interface ThemeParams {
  bg_color?: string;
  text_color?: string;
  hint_color?: string;
  link_color?: string;
  button_color?: string;
  button_text_color?: string;
  secondary_bg_color?: string;
  header_bg_color?: string;
  accent_text_color?: string;
  section_bg_color?: string;
  destructive_text_color?: string;
}

export interface BottomButton {
  setText(text: string): void;
  show(): void;
  hide(): void;
  enable(): void;
  disable(): void;
  onClick(callback: () => void): void;
  offClick(callback: () => void): void;
  showProgress?(leaveActive?: boolean): void;
  hideProgress?(): void;
}

export interface TelegramWebApp {
  initData: string;
  colorScheme?: 'light' | 'dark';
  themeParams?: ThemeParams;
  ready(): void;
  expand(): void;
  onEvent?(event: 'themeChanged', callback: () => void): void;
  BackButton?: { show(): void; hide(): void; onClick(callback: () => void): void; offClick(callback: () => void): void };
  MainButton?: BottomButton;
  HapticFeedback?: { notificationOccurred(type: 'error' | 'success' | 'warning'): void };
}

declare global {
  interface Window {
    Telegram?: { WebApp?: TelegramWebApp };
  }
}


// The import is used, or the bundler would drop the script (the package marks itself side-effect
// free). Its default export differs with CommonJS interop; the script defines window.Telegram.WebApp
// either way, and that is what is read below.
const sdkLoaded = Boolean(TelegramSdkWebApp);

// The launch parameters were read above; the router owns the hash from now on.
if (/(^#|&)tgWebAppData=/.test(window.location.hash)) window.history.replaceState(null, '', `${window.location.pathname}${window.location.search}#/`);

/** The WebApp object when opened from Telegram (it carries initData); undefined in a plain browser. */
export function telegramWebApp(): TelegramWebApp | undefined {
  const webApp = sdkLoaded ? window.Telegram?.WebApp : undefined;
  return webApp?.initData ? webApp : undefined;
}

/** A short vibration on phones that support it: success or error of what the user just did. */
export function haptic(outcome: 'success' | 'error' | 'warning'): void {
  try {
    telegramWebApp()?.HapticFeedback?.notificationOccurred(outcome);
  } catch {
    // Older Telegram clients throw for unsupported methods; a missing buzz is harmless.
  }
}
