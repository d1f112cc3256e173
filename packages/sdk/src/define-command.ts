import { Type, type Static, type TObject, type TProperties } from '@sinclair/typebox';
import type { CommandContext } from './command-context.js';
import type { CommandResult } from './command-result.js';

/** What {@link defineCommand} takes. */
export interface CommandDefinition<P extends TProperties, C> {
  /** The command's name within its connector, e.g. `GetRequest`. */
  name: string;
  /**
   * One sentence for people choosing the command in SpiffArena's editor: what it does and what
   * it answers. Listed as the command's `description` in `/v1/commands`; without one (or with
   * `''`) the command is listed without that field.
   */
  description?: string;
  /**
   * One TypeBox schema per parameter; `Type.Optional(...)` for optional ones. Give each a
   * `description` (format, units, default, an example): it is listed in `/v1/commands`.
   */
  parameters: P;
  /**
   * Whether the command runs in the background, its result PUT to the engine's callback URL:
   * `'always'` for work that outlives the engine's 45 s wait; `'optional'` to let the caller
   * choose with a `run_async` parameter (added for you). Default: never.
   */
  asynchronous?: 'always' | 'optional';
  /**
   * True when running the command twice has the effect of running it once (an HTTP GET, PUT or
   * DELETE). A background job then runs it again after a transient failure; otherwise once.
   */
  idempotent?: boolean;
  /** Does the work. Throw a `commandError(...)` to report a failure. */
  run(params: Static<TObject<P>>, context: CommandContext<C>): Promise<CommandResult>;
}

/** A command, ready to be listed in a connector. */
export interface Command<C = unknown> {
  readonly name: string;
  readonly description: string;
  readonly parameters: TObject<TProperties>;
  readonly asynchronous: 'never' | 'always' | 'optional';
  readonly idempotent: boolean;
  run(params: Record<string, unknown>, context: CommandContext<C>): Promise<CommandResult>;
}

/**
 * Declares a command. Its parameter schemas give validation, the `/v1/commands` listing and
 * the types of `params`, all from one declaration.
 *
 * @example
 * export const echo = defineCommand({
 *   name: 'Echo',
 *   description: 'Answers the message, repeated',
 *   parameters: {
 *     message: Type.String({ description: 'The text to answer, e.g. "hello"' }),
 *     times: Type.Optional(Type.Integer({ minimum: 1, description: 'How many times to repeat it (default 1)' })),
 *   },
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
    asynchronous: definition.asynchronous ?? 'never',
    idempotent: definition.idempotent ?? false,
    run: definition.run as Command<C>['run'],
  };
}
