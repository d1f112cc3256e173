/**
 * The connector proxy, for embedding and for tests.
 *
 * @example
 * import { startProxy } from '@connector-proxy/server';
 * const proxy = await startProxy({ connectors: [myConnector] });
 */
export { createProxy, startProxy, type Proxy, type ProxyOptions, type RunningProxy } from './proxy.js';
export { loadConfig, type ProxyConfig, type Environment } from './config.js';
export { BUILT_IN_CONNECTORS } from './connector-loader.js';
export { ProxyErrorCodes } from './errors.js';
