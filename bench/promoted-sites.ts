/** Reads a profile written by promoted-sampler.mjs: the bytes promoted per call, by the function that allocated them, placed in the TypeScript through the bundle's source maps. */
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  selfSize: number;
  children: ProfileNode[];
}

/** A function where promoted bytes were allocated, and how many per call. */
export interface PromotedSite {
  readonly site: string;
  readonly bytesPerCall: number;
}

/** The `top` sites of the profile in `file`, over `calls` calls, largest first; and the total per call. */
export function promotedSites(file: string, calls: number, top: number): { total: number; sites: PromotedSite[] } {
  const { head } = JSON.parse(readFileSync(file, 'utf8')) as { head: ProfileNode };
  const bytes = new Map<string, number>();
  const maps = new Map<string, SourceMap | undefined>();
  const visit = (node: ProfileNode): void => {
    if (node.selfSize > 0) {
      const site = describe(node.callFrame, maps);
      bytes.set(site, (bytes.get(site) ?? 0) + node.selfSize);
    }
    for (const child of node.children) visit(child);
  };
  visit(head);
  const total = [...bytes.values()].reduce((sum, value) => sum + value, 0) / calls;
  const sites = [...bytes].map(([site, value]) => ({ site, bytesPerCall: value / calls })).sort((a, b) => b.bytesPerCall - a.bytesPerCall);
  return { total, sites: sites.slice(0, top) };
}

/** `name (file:line)`, the file and line of the TypeScript where a source map has them. */
function describe(frame: ProfileNode['callFrame'], maps: Map<string, SourceMap | undefined>): string {
  const name = frame.functionName || '(anonymous)';
  if (!frame.url.startsWith('file://')) return `${name} (${frame.url || 'V8'})`;
  const file = fileURLToPath(frame.url);
  if (!maps.has(file)) maps.set(file, existsSync(`${file}.map`) ? new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8'))) : undefined);
  const entry = maps.get(file)?.findEntry(frame.lineNumber, frame.columnNumber);
  if (entry !== undefined && 'originalSource' in entry) return `${name} (${shorten(entry.originalSource)}:${entry.originalLine + 1})`;
  return `${name} (${shorten(file)}:${frame.lineNumber + 1})`;
}

/** From `packages/` or `node_modules/` on, which says whose code it is. */
function shorten(source: string): string {
  const at = source.search(/(packages|node_modules)\//);
  return at < 0 ? path.basename(source) : source.slice(at);
}
