import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** Where the API runs during `vite dev`; /graphql (HTTP and WebSocket) and /files are proxied to it. */
const API = process.env.MINI_APP_API ?? 'http://127.0.0.1:4000';

/**
 * The Mini App is served by the API under /app (server/http/mini-app.ts), so every asset URL
 * starts with /app/. Everything is bundled: no CDN, no external fonts.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/app/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
  },
  server: {
    proxy: {
      '/graphql': { target: API, ws: true, changeOrigin: true },
      '/files': { target: API, changeOrigin: true },
    },
  },
});
