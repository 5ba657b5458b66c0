/**
 * The web UI's static files (the `@god/ui` build: index.html and content-hashed files under
 * `assets/`) and the security headers of every answer. Files are served by serve-static with no
 * directory listing, no dotfiles and no way above the directory; any other GET of a page (a deep
 * link such as `/jobs/42`, asked for as text/html) gets index.html, so the UI's router takes it
 * from there. The API's own paths are never answered from here.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, {
  type ErrorRequestHandler,
  type RequestHandler,
  type Response,
  type Router,
} from 'express';
import type { Logger } from '@god/coord';
import { HttpError, notFound } from './errors.js';

/**
 * The UI's content security policy: its own scripts, styles, images and connections only, no
 * inline script or style, no plugins, no framing, forms only to itself.
 */
export const UI_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

/** The policy of every other answer (JSON, metrics, streams): nothing is loaded from them. */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'";

/** Cache-Control of the content-hashed files under `/assets/`: their names change with them. */
export const IMMUTABLE = 'public, max-age=31536000, immutable';

/** Paths that belong to the API (or to operators): never a UI file nor index.html. */
const RESERVED = /^\/(?:api(?:\/|$)|metrics(?:\/|$)|health)/;

/** Sets the headers every answer carries (the UI's routes then widen the CSP to theirs). */
export function securityHeaders(): RequestHandler {
  return (_req, res, next) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Content-Security-Policy', API_CSP);
    next();
  };
}

/**
 * The directory of the UI's files: `web.ui_dir` when set, else the `dist` directory of the
 * installed `@god/ui` package (or of `packages/ui` next to this package in a source checkout).
 */
export function uiDirOf(configured: string): string {
  if (configured !== '') return resolve(configured);
  try {
    const pkg = createRequire(import.meta.url).resolve('@god/ui/package.json');
    return join(dirname(pkg), 'dist');
  } catch {
    // Not installed as a package (or its exports hide package.json): the workspace layout.
    return resolve(dirname(fileURLToPath(import.meta.url)), '../../../ui/dist');
  }
}

/** Serves the UI from `dir`; mounted after the API so it only sees what the API did not take. */
export function uiRouter(dir: string, logger: Logger): Router {
  if (existsSync(join(dir, 'index.html'))) logger.info({ dir }, 'serving the web UI');
  else logger.warn({ dir }, 'web UI not built: only the API is served');
  const router = express.Router();
  const files = express.static(dir, {
    index: false,
    dotfiles: 'deny',
    redirect: false,
    // Errors come to `afterFiles`: a missing file may still be a page of the UI.
    fallthrough: false,
    cacheControl: false,
    setHeaders: (res, path) => {
      const asset = path.startsWith(join(dir, 'assets') + '/');
      uiHeaders(res, asset ? IMMUTABLE : 'no-cache');
    },
  });
  const afterFiles: ErrorRequestHandler = (err: unknown, req, _res, next) => {
    const status = (err as { status?: unknown } | null)?.status;
    // A dotfile or a path above the directory: answered like a file that does not exist.
    if (status === 403) return next(notFound(`${req.method} ${req.path}`));
    next(status === 404 ? undefined : err);
  };
  const page: RequestHandler = (req, res, next) => {
    if (req.path.startsWith('/assets/') || !wantsPage(req)) return next();
    if (!existsSync(join(dir, 'index.html')))
      return next(
        new HttpError(
          'NOT_FOUND',
          'the web UI is not built: run `npm run build` (or set web.ui_dir)',
        ),
      );
    uiHeaders(res, 'no-cache');
    res.sendFile('index.html', { root: dir, cacheControl: false }, (err) => {
      if (err !== undefined && !res.headersSent) next(err);
    });
  };
  const onlyUi: RequestHandler = (req, _res, next) =>
    (req.method === 'GET' || req.method === 'HEAD') && !RESERVED.test(req.path)
      ? next()
      : next('router');
  router.use(onlyUi, files, afterFiles, page);
  return router;
}

/** True when the client asks for a page (a browser navigating) rather than for data. */
function wantsPage(req: express.Request): boolean {
  return req.accepts(['application/json', 'text/html']) === 'text/html';
}

function uiHeaders(res: Response, cacheControl: string): void {
  res.setHeader('Content-Security-Policy', UI_CSP);
  res.setHeader('Cache-Control', cacheControl);
}
