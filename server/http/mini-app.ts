import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';

/** Where the Mini App is served. Vite builds it with the same base (client/vite.config.ts). */
export const MINI_APP_PATH = '/app';

/** Vite names built assets by content hash: a changed file is a new URL, so keep them forever. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * The page loads its own scripts and styles only (everything is bundled); audio may come from
 * signed storage links on another origin; the API is this origin (HTTP and WebSocket).
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: https:",
  'media-src * blob: data:',
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
].join('; ');

function sendIndex(indexFile: string, res: Response, next: NextFunction): void {
  // Always revalidated: a new deployment's index.html names the new hashed assets.
  res.setHeader('Cache-Control', 'no-cache');
  res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  res.sendFile(indexFile, { headers: { 'Content-Type': 'text/html; charset=utf-8' } }, (error) => {
    if (error && !res.headersSent) next(error);
  });
}

/**
 * GET /app: the Telegram Mini App built by Vite into `dir` (MINI_APP_DIR). Hashed files under
 * /app/assets are cached for a year; anything else under /app that is not a file (a client-side
 * route) answers index.html, never cached; a missing file with an extension is a plain 404. When
 * the client is not built the route says how to build it rather than 404ing. The directory is
 * looked at per request, so building while the API runs needs no restart.
 */
export function miniAppRouter(dir: string): Router {
  const router = express.Router();
  const indexFile = join(dir, 'index.html');

  router.use(MINI_APP_PATH, (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    if (existsSync(indexFile)) return next();
    res.setHeader('Cache-Control', 'no-store');
    res.status(503).type('text/plain').send('The Mini App is not built. Run "npm run client:build" (npm start does it), then reload.\n');
  });
  router.use(
    MINI_APP_PATH,
    express.static(dir, {
      index: false,
      redirect: false,
      fallthrough: true,
      setHeaders: (res, path) => {
        res.setHeader('X-Content-Type-Options', 'nosniff');
        if (path.startsWith(join(dir, 'assets'))) res.setHeader('Cache-Control', IMMUTABLE);
        else res.setHeader('Cache-Control', 'no-cache');
      },
    }),
  );
  router.get(`${MINI_APP_PATH}{/*route}`, (req: Request, res: Response, next: NextFunction) => {
    // /app/assets/gone.js or /app/favicon.ico: a missing file, not a screen of the app.
    if (/\.[a-z0-9]+$/i.test(req.path)) return next();
    sendIndex(indexFile, res, next);
  });
  return router;
}
