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
 * reference's ids.
 */
export const BUILT_IN_CONNECTORS: readonly string[] = ['http', 'smtp', 'slack', 'aws', 'postgres', 'postgres_v2'];

/** The package of a built-in connector. */
function builtInPackage(name: string): string {
  return `@connector-proxy/connector-${name.replaceAll('_', '-')}`;
}

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
  const enabled = BUILT_IN_CONNECTORS.filter((name) => !config.disabledConnectors.includes(name));
  const specifiers = [...enabled.map(builtInPackage), ...config.connectors];
  return Promise.all(specifiers.map((specifier) => importConnector(specifier, cwd)));
}

async function importConnector(specifier: string, cwd: string): Promise<LoadedConnector> {
  let module: { default?: unknown };
  try {
    module = (await import(resolveSpecifier(specifier, cwd))) as { default?: unknown };
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
