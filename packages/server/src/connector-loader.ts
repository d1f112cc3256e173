import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { configurationError, isConnector } from '@connector-proxy/sdk';
import type { LoadedConnector } from './command-registry.js';
import type { ProxyConfig } from './config.js';

/**
 * The connectors `npm start` serves, by name, in the order `/v1/commands` lists them. Each is the
 * package `@connector-proxy/connector-<name>`, its `_` written `-` (`postgres_v2` is
 * `connector-postgres-v2`): npm package names take no `_` by convention, connector names keep the
 * reference's ids. The imports are written out, not built from the name, so that the bundler
 * sees them (`npm run build` bundles the proxy: scripts/bundle.mjs).
 */
const BUILT_IN_IMPORTS = {
  http: () => import('@connector-proxy/connector-http'),
  smtp: () => import('@connector-proxy/connector-smtp'),
  slack: () => import('@connector-proxy/connector-slack'),
  aws: () => import('@connector-proxy/connector-aws'),
  postgres: () => import('@connector-proxy/connector-postgres'),
  postgres_v2: () => import('@connector-proxy/connector-postgres-v2'),
} satisfies Record<string, () => Promise<{ default?: unknown }>>;

/** The built-in connectors' names, in the order they are served. */
export const BUILT_IN_CONNECTORS: readonly string[] = Object.keys(BUILT_IN_IMPORTS);

/**
 * Imports the built-in connectors (less the disabled ones, which are never loaded: their
 * clients cost memory) and those named by `CONNECTOR_PROXY_CONNECTORS`. A module whose default
 * export is not a connector stops the start.
 */
export async function loadConnectors(config: ProxyConfig, cwd = process.cwd()): Promise<LoadedConnector[]> {
  for (const name of config.disabledConnectors) {
    if (!BUILT_IN_CONNECTORS.includes(name)) {
      throw configurationError('CONNECTOR_PROXY_DISABLED_CONNECTORS', `names ${JSON.stringify(name)}, which is not a built-in connector (${BUILT_IN_CONNECTORS.join(', ')})`);
    }
  }
  const builtIn = Object.entries(BUILT_IN_IMPORTS).filter(([name]) => !config.disabledConnectors.includes(name));
  return Promise.all([
    ...builtIn.map(([name, load]) => importConnector(`@connector-proxy/connector-${name.replaceAll('_', '-')}`, load)),
    ...config.connectors.map((specifier) => importConnector(specifier, () => import(resolveSpecifier(specifier, cwd)) as Promise<{ default?: unknown }>)),
  ]);
}

async function importConnector(specifier: string, load: () => Promise<{ default?: unknown }>): Promise<LoadedConnector> {
  let module: { default?: unknown };
  try {
    module = await load();
  } catch (error) {
    throw configurationError('CONNECTOR_PROXY_CONNECTORS', `names ${specifier}, which could not be loaded: ${(error as Error).message}`);
  }
  if (!isConnector(module.default)) {
    throw configurationError('CONNECTOR_PROXY_CONNECTORS', `names ${specifier}, whose default export is not a connector (make it \`export default defineConnector(...)\`)`);
  }
  return { connector: module.default, source: specifier };
}

// File paths load relative to the working directory; package names resolve from it first (where
// an operator installs their connectors) and then from the proxy's own dependencies.
function resolveSpecifier(specifier: string, cwd: string): string {
  if (specifier.startsWith('.') || path.isAbsolute(specifier)) {
    return pathToFileURL(path.resolve(cwd, specifier)).href;
  }
  try {
    return pathToFileURL(createRequire(path.join(cwd, 'package.json')).resolve(specifier)).href;
  } catch {
    return specifier; // not installed beside the working directory: let import() find it
  }
}
