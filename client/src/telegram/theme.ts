import type { TelegramWebApp, ThemeParams } from './web-app';

/** Colours used when Telegram gives none (a plain browser), per colour scheme. */
const FALLBACK: Record<'light' | 'dark', Required<Pick<ThemeParams, 'bg_color' | 'text_color' | 'hint_color' | 'link_color' | 'button_color' | 'button_text_color' | 'secondary_bg_color' | 'destructive_text_color'>>> = {
  light: { bg_color: '#ffffff', text_color: '#111111', hint_color: '#5f6670', link_color: '#1a5fb4', button_color: '#1a5fb4', button_text_color: '#ffffff', secondary_bg_color: '#f1f3f5', destructive_text_color: '#b3261e' },
  dark: { bg_color: '#17212b', text_color: '#f5f5f5', hint_color: '#aab4bf', link_color: '#7cc0ff', button_color: '#5eaaf0', button_text_color: '#0b1620', secondary_bg_color: '#232e3c', destructive_text_color: '#ff8a80' },
};

function channel(value: number): number {
  const c = value / 255;
  return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

function luminance(hex: string): number | null {
  const match = /^#?([\da-f]{2})([\da-f]{2})([\da-f]{2})$/i.exec(hex.trim());
  if (!match) return null;
  const [r, g, b] = match.slice(1).map((part) => channel(parseInt(part, 16)));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG contrast ratio of two #rrggbb colours (1 when either cannot be read). */
export function contrast(a: string, b: string): number {
  const la = luminance(a);
  const lb = luminance(b);
  if (la === null || lb === null) return 1;
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

/**
 * Telegram's own palettes put grey hints on white at about 2.8:1; text must stay readable
 * (4.5:1), so a colour that is too faint against its background gives way to `fallback`.
 */
function readable(colour: string | undefined, background: string | string[], fallback: string): string {
  const backgrounds = Array.isArray(background) ? background : [background];
  return colour && backgrounds.every((b) => contrast(colour, b) >= 4.5) ? colour : fallback;
}

/** Maps Telegram's theme (or the browser's scheme) to the CSS variables styles.css reads. */
export function applyTheme(webApp: TelegramWebApp | undefined): void {
  const dark = webApp?.colorScheme ? webApp.colorScheme === 'dark' : window.matchMedia?.('(prefers-color-scheme: dark)').matches === true;
  const base = FALLBACK[dark ? 'dark' : 'light'];
  const given = webApp?.themeParams ?? {};
  const bg = given.bg_color ?? base.bg_color;
  const text = readable(given.text_color, bg, contrast(base.text_color, bg) >= 4.5 ? base.text_color : FALLBACK[dark ? 'light' : 'dark'].text_color);
  const surface = given.secondary_bg_color ?? base.secondary_bg_color;
  const button = given.button_color ?? base.button_color;
  const vars: Record<string, string> = {
    '--bg': bg,
    '--text': text,
    '--surface': surface,
    '--hint': readable(given.hint_color, [bg, surface], readable(base.hint_color, [bg, surface], text)),
    '--link': readable(given.link_color, [bg, surface], readable(base.link_color, [bg, surface], text)),
    '--button': button,
    '--button-text': readable(given.button_text_color, button, contrast('#ffffff', button) >= contrast('#000000', button) ? '#ffffff' : '#000000'),
    '--danger': readable(given.destructive_text_color, [bg, surface], readable(base.destructive_text_color, [bg, surface], text)),
  };
  const root = document.documentElement;
  for (const [name, value] of Object.entries(vars)) root.style.setProperty(name, value);
  root.dataset.scheme = dark ? 'dark' : 'light';
  root.style.colorScheme = dark ? 'dark' : 'light';
}
