import { gzipSync } from 'node:zlib';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import type { Request, Response, NextFunction } from 'express';

const SIGN_IN_HINT = `# Welcome to the MusicVerse Playground.
#
# 1. Sign in: run authenticateTelegram with your Mini App's initData
#    (or devSignIn when the server runs with DEV_LOGIN=1) and copy accessToken.
# 2. Open "Headers" below and set:
#      { "Authorization": "Bearer <accessToken>" }
#    or, with an API key: { "X-API-Key": "amv_live_..." }
# 3. Run the query.
query Me {
  viewer {
    user { id firstName username tier }
  }
}
`;

/**
 * GraphiQL, bundled inline (no CDN, works offline), with subscriptions over graphql-ws and a
 * headers editor. Rendered once; about 9 MB raw, so it is sent compressed.
 */
export function playground(endpoint: string) {
  let page: { raw: Buffer; gzip: Buffer } | undefined;
  const render = () => {
    const html = renderGraphiQL({
      title: 'MusicVerse Playground',
      endpoint,
      subscriptionsProtocol: 'WS',
      defaultQuery: SIGN_IN_HINT,
      shouldPersistHeaders: true,
    } as Parameters<typeof renderGraphiQL>[0]);
    const raw = Buffer.from(html, 'utf8');
    return { raw, gzip: gzipSync(raw) };
  };
  return (req: Request, res: Response, next: NextFunction): void => {
    const wantsHtml = req.method === 'GET' && req.accepts(['application/json', 'application/graphql-response+json', 'text/html']) === 'text/html';
    if (!wantsHtml || typeof req.query.query === 'string') return next();
    page ??= render();
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.setHeader('Vary', 'Accept, Accept-Encoding');
    res.setHeader('Cache-Control', 'no-cache');
    if (req.acceptsEncodings('gzip')) {
      res.setHeader('Content-Encoding', 'gzip');
      res.end(page.gzip);
    } else {
      res.end(page.raw);
    }
  };
}
