/**
 * The connector SDK: all a connector author needs, and the one seam between the proxy and
 * its connectors. A connector package depends on this alone.
 *
 * @example
 * import { defineConnector, defineCommand, Type } from '@connector-proxy/sdk';
 *
 * const sayHello = defineCommand({
 *   name: 'SayHello',
 *   parameters: { name: Type.String() },
 *   async run({ name }) { return { body: { greeting: `Hello, ${name}` } }; },
 * });
 * export default defineConnector({ name: 'example', commands: [sayHello] });
 */
export { Type, type Static, type TSchema, type TObject, type TProperties } from '@sinclair/typebox';
export { defineCommand, type Command, type CommandDefinition } from './define-command.js';
export { defineConnector, isConnector, type Connector, type ConnectorDefinition } from './define-connector.js';
export type { CommandContext, CommandLogger, EgressPolicy, ProxySettings, ResponseBudget, SetupContext, TaskReference } from './command-context.js';
export type { CommandResult, Envelope, EnvelopeError, WireCommandResponse } from './command-result.js';
export {
  commandError,
  commandErrorWith,
  configurationError,
  invalidParameters,
  isCommandError,
  reportedCommandError,
  responseBudgetExceeded,
  SdkErrorCodes,
  type CommandError,
  type CommandErrorOptions,
  type ParameterProblem,
} from './errors.js';
export {
  describeParameters,
  descriptionOf,
  isOptionalParameter,
  parameterType,
  type ParameterDescriptor,
  type ParameterType,
} from './parameters.js';
export { isSensitiveName, redact, redactSecrets, redactUrl, redactUrls, REDACTED } from './redaction.js';
export { parseDataUrl, type DataUrlFile, type DataUrlParse } from './data-url.js';
export { jsonNestsTooDeep, MAX_JSON_NESTING } from './json-nesting.js';
export { checkJsonBytes, checkJsonText, type JsonTextVerdict } from './json-validation.js';
export { rawJson, rawJsonContent, type JsonContent, type RawJson } from './raw-json.js';
export type { OAuthProviders, OAuthTokenRefresh, OAuthTokenSet } from './oauth.js';
export { readAtMost, readChunksAtMost, type ReadableBody } from './bounded-read.js';
export { networkFailure, type NetworkFailure, type NetworkFailureKind } from './network-failure.js';
