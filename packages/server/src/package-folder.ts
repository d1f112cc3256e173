import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The server package's own folder (the one with its package.json), found by walking up from this
 * module: from src/ under tsx, from dist/ after tsc, and from the bundle's files in dist/ and
 * dist/chunks/ alike, which a fixed `../..` could not serve all of.
 */
export const PACKAGE_FOLDER = findPackageFolder(path.dirname(fileURLToPath(import.meta.url)));

/** The `version` of the server's package.json. */
export function packageVersion(): string {
  return (JSON.parse(readFileSync(path.join(PACKAGE_FOLDER, 'package.json'), 'utf8')) as { version: string }).version;
}

function findPackageFolder(from: string): string {
  for (let folder = from; ; folder = path.dirname(folder)) {
    if (existsSync(path.join(folder, 'package.json'))) return folder;
    if (path.dirname(folder) === folder) throw new Error(`no package.json above ${from}`);
  }
}
