// The dashboard's static files: `/dashboard/` serves the top-level web/ folder, and
// `/dashboard/vendor/<package>/<file>` the browser builds of the few npm packages it imports
// (ES modules, no build step). Nothing here reads cluster state: the page talks to the API like
// any client. Files are read per request (small, and edits show on reload).
import { readFile, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DASHBOARD_PATH = '/dashboard/';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const webDir = join(root, 'web');
const modulesDir = join(root, 'node_modules');

/** The packages the page may load from node_modules (their browser ES module builds). */
export const VENDORED = new Set(['preact', 'htm', 'uplot']);

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.map': 'application/json',
};

/**
 * The file a dashboard path names, or undefined when it names none we serve (outside web/ or an
 * allowed package, an unknown file type). Pure: decides from the path only.
 */
export function dashboardFile(path: string): string | undefined {
  if (!path.startsWith(DASHBOARD_PATH)) return undefined;
  let rel: string;
  try {
    rel = decodeURIComponent(path.slice(DASHBOARD_PATH.length));
  } catch {
    return undefined;
  }
  if (rel === '' || rel.endsWith('/')) rel += 'index.html';
  if (rel.includes('\0') || rel.split('/').some((p) => p === '..' || p.startsWith('.'))) return undefined;
  if (!(extname(rel) in TYPES)) return undefined;
  let base = webDir;
  if (rel.startsWith('vendor/')) {
    const [, pkg, ...rest] = rel.split('/');
    if (!VENDORED.has(pkg) || rest.length === 0) return undefined;
    base = join(modulesDir, pkg);
    rel = rest.join('/');
  }
  const file = normalize(join(base, rel));
  return file.startsWith(base + sep) ? file : undefined;
}

/** Answers a GET/HEAD under /dashboard/ (and redirects /dashboard); false when the path is not ours. */
export function serveDashboard(req: IncomingMessage, res: ServerResponse, path: string, done: (code: number) => void): boolean {
  if (path === DASHBOARD_PATH.slice(0, -1)) {
    res.writeHead(301, { Location: DASHBOARD_PATH, 'Content-Length': 0 });
    res.end();
    done(301);
    return true;
  }
  if (!path.startsWith(DASHBOARD_PATH) || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
  const file = dashboardFile(path);
  const notFound = () => {
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('404 page not found\n');
    done(404);
  };
  if (!file) {
    notFound();
    return true;
  }
  stat(file)
    .then((st) => (st.isFile() ? readFile(file) : undefined))
    .then(
      (body) => {
        if (!body) return notFound();
        res.writeHead(200, { 'Content-Type': TYPES[extname(file)], 'Content-Length': body.length, 'Cache-Control': 'no-cache', 'X-Content-Type-Options': 'nosniff' });
        res.end(req.method === 'HEAD' ? undefined : body);
        done(200);
      },
      () => notFound(),
    );
  return true;
}
