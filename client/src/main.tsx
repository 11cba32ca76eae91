import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app';
import { applyTheme } from './telegram/theme';
import { telegramWebApp } from './telegram/web-app';
import './styles.css';

const webApp = telegramWebApp();
applyTheme(webApp);
if (webApp) {
  // Tells Telegram the app is drawn (it hides its placeholder) and asks for the full height.
  webApp.ready();
  webApp.expand();
  webApp.onEvent?.('themeChanged', () => applyTheme(webApp));
} else {
  window.matchMedia?.('(prefers-color-scheme: dark)').addEventListener('change', () => applyTheme(undefined));
}

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
