/**
 * The command explorer's files (packages/server/explorer: two HTML pages, a style sheet and the
 * browser code tsc compiles into explorer/dist), read once at start and served from memory.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PACKAGE_FOLDER } from '../package-folder.js';

/** One file as it is served. */
export interface ExplorerAsset {
  readonly body: Buffer;
  readonly type: string;
  /** A strong validator made from the content: a page reloaded after an upgrade gets the new files. */
  readonly etag: string;
}

export interface ExplorerAssets {
  /** `/explorer`. */
  readonly page: ExplorerAsset;
  /** What `/` answers a browser. */
  readonly rootPage: ExplorerAsset;
  /** The style sheet and scripts, by file name (served under `/explorer/`). */
  readonly files: ReadonlyMap<string, ExplorerAsset>;
}

/** The server package's explorer folder. */
const FOLDER = path.join(PACKAGE_FOLDER, 'explorer');
const SCRIPTS = path.join(FOLDER, 'dist');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
};

/** The files, or why they cannot be served (the browser code is built by `npm run build`). */
export function loadExplorerAssets(): ExplorerAssets | { missing: string } {
  const entry = path.join(SCRIPTS, 'explorer.js');
  if (!existsSync(entry)) return { missing: entry };
  const files = new Map<string, ExplorerAsset>([['explorer.css', asset(path.join(FOLDER, 'explorer.css'))]]);
  for (const name of readdirSync(SCRIPTS)) {
    if (name.endsWith('.js')) files.set(name, asset(path.join(SCRIPTS, name)));
  }
  return { page: asset(path.join(FOLDER, 'index.html')), rootPage: asset(path.join(FOLDER, 'root.html')), files };
}

function asset(file: string): ExplorerAsset {
  const body = readFileSync(file);
  const type = TYPES[path.extname(file)];
  if (type === undefined) throw new Error(`no content type for ${file}`);
  return { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
}
