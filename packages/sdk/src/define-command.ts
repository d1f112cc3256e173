import { Type, type Static, type TObject, type TProperties } from '@sinclair/typebox';
import type { CommandContext } from './command-context.js';
import type { CommandResult } from './command-result.js';

/** What {@link defineCommand} takes. */
export interface CommandDefinition<P extends TProperties, C> {
  /** The command's name within its connector, e.g. `GetRequest`. */
  name: string;
  /** One sentence for people reading the docs. */
  description?: string;
  /** One TypeBox schema per parameter; `Type.Optional(...)` for optional ones. */
  parameters: P;
  /** Does the work. Throw a `commandError(...)` to report a failure. */
  run(params: Static<TObject<P>>, context: CommandContext<C>): Promise<CommandResult>;
}

/** A command, ready to be listed in a connector. */
export interface Command<C = unknown> {
  readonly name: string;
  readonly description: string;
  readonly parameters: TObject<TProperties>;
  run(params: Record<string, unknown>, context: CommandContext<C>): Promise<CommandResult>;
}

/**
 * Declares a command. Its parameter schemas give validation, the `/v1/commands` listing and
 * the types of `params`, all from one declaration.
 *
 * @example
 * export const echo = defineCommand({
 *   name: 'Echo',
 *   parameters: { message: Type.String(), times: Type.Optional(Type.Integer({ minimum: 1 })) },
 *   async run({ message, times = 1 }) {
 *     return { body: { echoed: message.repeat(times) } };
 *   },
 * });
 */
export function defineCommand<P extends TProperties, C = unknown>(definition: CommandDefinition<P, C>): Command<C> {
  return {
    name: definition.name,
    description: definition.description ?? '',
    parameters: Type.Object(definition.parameters) as TObject<TProperties>,
    run: definition.run as Command<C>['run'],
  };
}
