import { useEffect, useRef } from 'react';
import { telegramWebApp } from './web-app';

/** Shows Telegram's BackButton while the screen is mounted; pressing it calls `onBack`. */
export function useBackButton(onBack: () => void): void {
  const latest = useRef(onBack);
  latest.current = onBack;
  useEffect(() => {
    const button = telegramWebApp()?.BackButton;
    if (!button) return;
    const handler = () => latest.current();
    button.onClick(handler);
    button.show();
    return () => {
      button.offClick(handler);
      button.hide();
    };
  }, []);
}

export interface MainButtonState {
  text: string;
  enabled: boolean;
  busy: boolean;
  onClick: () => void;
}

/**
 * Drives Telegram's MainButton (the wide button at the bottom) while the screen is mounted.
 * Returns whether it is in use, so the screen hides its own button then.
 */
export function useMainButton(state: MainButtonState): boolean {
  const button = telegramWebApp()?.MainButton;
  const latest = useRef(state.onClick);
  latest.current = state.onClick;
  useEffect(() => {
    if (!button) return;
    const handler = () => latest.current();
    button.onClick(handler);
    button.show();
    return () => {
      button.offClick(handler);
      button.hide();
    };
  }, [button]);
  useEffect(() => {
    if (!button) return;
    button.setText(state.text);
    // Progress first: Telegram's hideProgress() switches the button back on by itself.
    if (state.busy) button.showProgress?.(false);
    else button.hideProgress?.();
    if (state.enabled && !state.busy) button.enable();
    else button.disable();
  }, [button, state.text, state.enabled, state.busy]);
  return button !== undefined;
}
