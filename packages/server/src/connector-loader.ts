import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { configurationError, isConnector } from '@connector-proxy/sdk';
import type { LoadedConnector } from './command-registry.js';
import type { ProxyConfig } from './config.js';

/** The connectors `npm start` serves, in the order `/v1/commands` lists them. */
export const BUILT_IN_CONNECTORS: readonly string[] = [
  '@connector-proxy/connector-http',
  '@connector-proxy/connector-smtp',
  '@connector-proxy/connector-slack',
  '@connector-proxy/connector-aws',
  '@connector-proxy/connector-postgres',
];

/**
 * Imports the built-in connectors (less the disabled ones) and those named by
 * `CONNECTOR_PROXY_CONNECTORS`. A module whose default export is not a connector stops the start.
 */
export async function loadConnectors(config: ProxyConfig, cwd = process.cwd()): Promise<LoadedConnector[]> {
  const builtIns = await Promise.all(BUILT_IN_CONNECTORS.map((name) => importConnector(name, cwd)));
  const builtInNames = new Set(builtIns.map((loaded) => loaded.connector.name));
  for (const name of config.disabledConnectors) {
    if (!builtInNames.has(name)) {
      throw configurationError('CONNECTOR_PROXY_DISABLED_CONNECTORS', `names ${JSON.stringify(name)}, which is not a built-in connector (${[...builtInNames].join(', ')})`);
    }
  }
  const enabled = builtIns.filter((loaded) => !config.disabledConnectors.includes(loaded.connector.name));
  const extra = await Promise.all(config.connectors.map((specifier) => importConnector(specifier, cwd)));
  return [...enabled, ...extra];
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
