import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Context, Hono } from 'hono';

/** The dashboard's policy: its own scripts, styles and API only; nothing inline, nothing from elsewhere. */
export const dashboardPolicy =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const mediaTypes: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.map': 'application/json; charset=utf-8',
};

/** Where the build puts the compiled dashboard (`dist/dashboard`, beside this module's `dist/http`). */
const assetsDirectory = fileURLToPath(new URL('../dashboard/', import.meta.url));

interface Asset {
  readonly body: Uint8Array;
  readonly type: string;
}

let loaded: Map<string, Asset> | undefined;

/** Reads the dashboard's files once: a handful of small modules, served from memory. */
function assets(): Map<string, Asset> {
  if (loaded) return loaded;
  const files = new Map<string, Asset>();
  const walk = (directory: string) => {
    for (const entry of readdirSync(directory)) {
      const path = join(directory, entry);
      if (statSync(path).isDirectory()) walk(path);
      else {
        const type = mediaTypes[extname(entry)];
        if (type) files.set(relative(assetsDirectory, path).split(sep).join('/'), { body: readFileSync(path), type });
      }
    }
  };
  try {
    walk(assetsDirectory);
  } catch {
    // No build of the dashboard: the page says so below.
  }
  loaded = files;
  return files;
}

/**
 * The web dashboard: one page (`index.html`) for `/` and every `/executions/…` and `/experiments…` address, and its
 * modules and styles under `/assets/`. It talks only to this server's API.
 */
export function dashboardRoutes(app: Hono): void {
  const page = (c: Context) => {
    const shell = assets().get('index.html');
    if (!shell) {
      return c.text(`The dashboard is not built (no ${join(assetsDirectory, 'index.html')}). Run \`pnpm --filter @keel/server build\`.`, 500);
    }
    return c.body(new Uint8Array(shell.body), 200, { 'Content-Type': shell.type, 'Content-Security-Policy': dashboardPolicy, 'Cache-Control': 'no-cache' });
  };
  app.get('/', page);
  app.get('/executions/*', page);
  app.get('/experiments', page);
  app.get('/experiments/*', page);
  app.get('/assets/*', (c) => {
    const name = c.req.path.slice('/assets/'.length);
    const asset = name.includes('..') ? undefined : assets().get(name);
    if (!asset || name === 'index.html') return c.text('Not found.', 404);
    return c.body(new Uint8Array(asset.body), 200, { 'Content-Type': asset.type, 'Cache-Control': 'no-cache' });
  });
}
