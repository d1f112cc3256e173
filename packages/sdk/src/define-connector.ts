import type { Command } from './define-command.js';
import type { SetupContext } from './command-context.js';

const CONNECTOR_KIND = 'connector-proxy.connector';

/** What {@link defineConnector} takes. `C` is the configuration `setup` makes for the commands. */
export interface ConnectorDefinition<C> {
  /** The first part of every command id, e.g. `http` in `http/GetRequest`. */
  name: string;
  description?: string;
  commands: readonly Command<C>[];
  /**
   * Every `error_code` this connector's commands can answer, for people writing BPMN error
   * boundary events (the proxy publishes them in `GET /openapi.json`). A family of codes is
   * written with a placeholder: `HttpError{status}` stands for `HttpError404`, `HttpError503`, ...
   * The SDK's `invalid_parameters` and the proxy's own codes need not be listed.
   *
   * @example
   * errorCodes: ['ConnectionRefused', 'UpstreamTimeout', 'HttpError{status}'],
   */
  errorCodes?: readonly string[];
  /** Runs once at start: read the environment, make clients and pools. Throw `configurationError` on bad values. */
  setup?(context: SetupContext): C | Promise<C>;
  /** Runs once at shutdown: close what `setup` opened. */
  close?(config: C): void | Promise<void>;
}

/** A connector: a named group of commands that the proxy loads like any npm package. */
export interface Connector<C = unknown> extends Required<Omit<ConnectorDefinition<C>, 'setup' | 'close'>> {
  readonly kind: typeof CONNECTOR_KIND;
  setup(context: SetupContext): C | Promise<C>;
  close(config: C): void | Promise<void>;
}

/**
 * Declares a connector. Make it your package's default export.
 *
 * @example
 * export default defineConnector({
 *   name: 'example',
 *   setup: ({ env }) => ({ greeting: env.CONNECTOR_PROXY_EXAMPLE_GREETING ?? 'Hello' }),
 *   commands: [sayHello],
 * });
 */
export function defineConnector<C = undefined>(definition: ConnectorDefinition<C>): Connector<C> {
  return {
    kind: CONNECTOR_KIND,
    name: definition.name,
    description: definition.description ?? '',
    commands: definition.commands,
    errorCodes: definition.errorCodes ?? [],
    setup: definition.setup ?? (() => undefined as C),
    close: definition.close ?? (() => undefined),
  };
}

/**
 * True for values made by {@link defineConnector}, whichever copy of the SDK made them.
 *
 * @example
 * if (!isConnector(module.default)) throw new Error(`${name} does not export a connector`);
 */
export function isConnector(value: unknown): value is Connector<unknown> {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === CONNECTOR_KIND;
}
