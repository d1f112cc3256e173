import {
  configurationError,
  describeParameters,
  descriptionOf,
  Type,
  type Command,
  type Connector,
  type ParameterDescriptor,
  type SetupContext,
  type TObject,
  type TProperties,
} from '@connector-proxy/sdk';
import { compileParameters } from './parameter-validation.js';

/** A connector and where it came from (a package name or a file path), for messages. */
export interface LoadedConnector {
  connector: Connector<unknown>;
  source: string;
}

/** A call's checked parameters, and whether it runs in the background. */
export interface PreparedCall {
  params: Record<string, unknown>;
  runAsync: boolean;
}

/** A command ready to run: looked up by id, its parameter check compiled, its connector set up. */
export interface RegisteredCommand {
  readonly id: string;
  readonly command: Command<unknown>;
  readonly config: unknown;
  /** The connector that offers it (its name, description and error codes, for `/openapi.json`). */
  readonly connector: Connector<unknown>;
  /** The parameters a call may carry: the command's own, plus `run_async` when the caller may choose. */
  readonly schema: TObject<TProperties>;
  /** Checks a call's body (400 `invalid_parameters` naming every problem) and picks its parameters. */
  prepare(body: Record<string, unknown>): PreparedCall;
}

/**
 * One entry of `GET /v1/commands`. `description` (the command's, then each parameter's) is an
 * extra field the engine ignores; it is absent where the connector declared none.
 */
export interface CommandDescriptor {
  id: string;
  description?: string;
  parameters: ParameterDescriptor[];
}

const RESERVED_PREFIX = 'spiff__';

/** Every command of every loaded connector, by id. Built once at start; read on every call. */
export class CommandRegistry {
  private constructor(
    private readonly commands: ReadonlyMap<string, RegisteredCommand>,
    /** The `/v1/commands` answer, serialized once: it never changes while the proxy runs. */
    readonly descriptorsJson: string,
    private readonly closers: ReadonlyArray<() => void | Promise<void>>,
  ) {}

  /** Set when {@link close} begins (readiness then answers 503). */
  private closing = false;

  /** Sets up each connector and registers its commands. Two commands with one id stop the start. */
  static async create(loaded: readonly LoadedConnector[], setup: SetupContext): Promise<CommandRegistry> {
    const commands = new Map<string, RegisteredCommand>();
    const sources = new Map<string, string>();
    const descriptors: CommandDescriptor[] = [];
    const closers: Array<() => void | Promise<void>> = [];
    try {
      for (const { connector, source } of loaded) {
        const config = await connector.setup(setup);
        closers.push(() => connector.close(config));
        for (const command of connector.commands) {
          const id = `${connector.name}/${command.name}`;
          const earlier = sources.get(id);
          if (earlier !== undefined) {
            throw configurationError('CONNECTOR_PROXY_CONNECTORS', `loads two commands with the id ${id}: from ${earlier} and from ${source}`);
          }
          checkParameterNames(id, command, source);
          sources.set(id, source);
          const schema = callSchema(command);
          commands.set(id, { id, command, config, connector, schema, prepare: preparer(command, schema) });
          descriptors.push(describeCommand(id, command, schema));
        }
      }
    } catch (error) {
      // A start that fails half-way releases what the connectors set up so far.
      await closeAll(closers);
      throw error;
    }
    return new CommandRegistry(commands, JSON.stringify(descriptors), closers);
  }

  get(id: string): RegisteredCommand | undefined {
    return this.commands.get(id);
  }

  get size(): number {
    return this.commands.size;
  }

  /** Every command id, in registration order. */
  get ids(): IterableIterator<string> {
    return this.commands.keys();
  }

  /** Every registered command, in registration order. */
  get all(): IterableIterator<RegisteredCommand> {
    return this.commands.values();
  }

  /** False once closing has begun: from then on the connectors' pools are being released. */
  get setUp(): boolean {
    return !this.closing;
  }

  /** Closes every connector (pools, agents), in reverse order of setup. */
  close(): Promise<void> {
    this.closing = true;
    return closeAll(this.closers);
  }
}

/** Runs each closer, last set up first. */
async function closeAll(closers: ReadonlyArray<() => void | Promise<void>>): Promise<void> {
  for (const close of [...closers].reverse()) await close();
}

/** The command's `/v1/commands` entry: its id, its description when it has one, its parameters. */
function describeCommand(id: string, command: Command<unknown>, schema: TObject<TProperties>): CommandDescriptor {
  const description = descriptionOf(command);
  return { id, ...(description !== undefined && { description }), parameters: describeParameters(schema) };
}

const RUN_ASYNC = 'run_async';
const RUN_ASYNC_SCHEMA = Type.Optional(
  Type.Boolean({
    description: "true: answer 202 at once, run in the background and send the result to the engine's callback (for calls that may take over 45 s); default false",
  }),
);

/** The parameters a call may carry: the command's own, plus `run_async` when the caller may choose. */
function callSchema(command: Command<unknown>): TObject<TProperties> {
  if (command.asynchronous !== 'optional') return command.parameters;
  return Type.Object({ ...command.parameters.properties, [RUN_ASYNC]: RUN_ASYNC_SCHEMA });
}

function preparer(command: Command<unknown>, schema: TObject<TProperties>): RegisteredCommand['prepare'] {
  const validate = compileParameters(schema);
  if (command.asynchronous === 'never') return (body) => ({ params: validate(body), runAsync: false });
  if (command.asynchronous === 'always') return (body) => ({ params: validate(body), runAsync: true });
  return (body) => {
    const { [RUN_ASYNC]: runAsync, ...params } = validate(body);
    return { params, runAsync: runAsync === true };
  };
}

// `spiff__*` keys belong to the engine (a command declaring one would receive engine data as
// input), and `run_async` to the proxy when the caller may choose.
function checkParameterNames(id: string, command: Command<unknown>, source: string): void {
  const reserved = Object.keys(command.parameters.properties).find(
    (name) => name.startsWith(RESERVED_PREFIX) || (name === RUN_ASYNC && command.asynchronous === 'optional'),
  );
  if (reserved !== undefined) {
    throw configurationError('CONNECTOR_PROXY_CONNECTORS', `module ${source}: ${id} declares the reserved parameter ${reserved}`);
  }
}
