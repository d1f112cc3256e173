import type { LookupFunction } from 'node:net';
import type { OAuthProviders } from './oauth.js';

/** Log lines written here become the envelope's `spiff__logs` and also go to the proxy's log. */
export interface CommandLogger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** Which task of which process instance called, from the `spiff__*` keys of the call. */
export interface TaskReference {
  processInstanceId?: string | number;
  processModelIdentifier?: string;
  taskId?: string;
}

/** Everything a command sees besides its parameters. `C` is what its connector's `setup` made. */
export interface CommandContext<C = unknown> {
  /** `connector/Command`, e.g. `http/GetRequest`. */
  readonly commandId: string;
  /** The connector's configuration, made once at start by its `setup`. */
  readonly config: C;
  /** Aborted when the deadline passes or the caller goes away: pass it to every I/O call. */
  readonly signal: AbortSignal;
  /** When the call must be answered, in epoch milliseconds. */
  readonly deadline: number;
  readonly log: CommandLogger;
  /** `spiff__task_data`: the task's whole data object (never forwarded unless the command chooses to). */
  readonly taskData: unknown;
  readonly task: TaskReference;
  /** `spiff__callback_url`, for asynchronous commands. */
  readonly callbackUrl: string | undefined;
  /**
   * This call's share of the bytes of third parties' answers the whole proxy holds at once
   * (`CONNECTOR_PROXY_MAX_BUFFERED_BYTES`): give it to {@link readAtMost} / {@link readChunksAtMost}
   * for every answer the command reads. The proxy takes the bytes back once the call's envelope
   * is written or dropped.
   */
  readonly responseBudget: ResponseBudget;
}

/**
 * Bytes a call may hold of third parties' answers, from one budget shared by every call in the
 * process, so that many large answers at once cannot exhaust memory. Reading stops with the
 * SDK's `ResponseBudgetExceeded` error (`httpStatus` 503, retried by the engine) when the budget
 * cannot spare a chunk.
 *
 * @example
 * const bytes = await readAtMost(response.body, settings.maxResponseBytes, () => controller.abort(), context.responseBudget);
 */
export interface ResponseBudget {
  /** Takes `bytes` for this call and says true; says false and takes nothing when the budget cannot spare them. */
  reserve(bytes: number): boolean;
  /** The whole budget in bytes (`CONNECTOR_PROXY_MAX_BUFFERED_BYTES`), for messages. */
  readonly limitBytes: number;
}

/** Proxy-wide settings a connector must honour for the calls it makes on a caller's behalf. */
export interface ProxySettings {
  /** Bound for one outbound HTTP call, from connect to the last body byte (`CONNECTOR_PROXY_HTTP_TIMEOUT_MS`). */
  readonly httpTimeoutMs: number;
  /** Largest third-party answer to read (`CONNECTOR_PROXY_MAX_RESPONSE_BYTES`): cut off beyond it. All calls' answers together are bounded by each call's {@link CommandContext.responseBudget}. */
  readonly maxResponseBytes: number;
  /** Where outbound connections may go (`CONNECTOR_PROXY_EGRESS_ALLOW` / `_DENY`). */
  readonly egress: EgressPolicy;
  /** The operator's OAuth2 providers (`CONNECTOR_PROXY_OAUTH_PROVIDERS`); absent when none are configured. */
  readonly oauth?: OAuthProviders;
}

/**
 * The operator's rules for outbound connections. A denied host or address fails with a
 * `CommandError` whose code is `EgressDenied` (`httpStatus` 403).
 *
 * @example
 * const agent = new Agent({ connect: { lookup: settings.egress.lookup } });
 * settings.egress.assertHostAllowed(new URL(url).hostname); // before each request
 */
export interface EgressPolicy {
  /**
   * A `dns.lookup`-compatible function that resolves a name and refuses denied addresses, so the
   * address checked is the address connected to. Give it to every socket a connector opens.
   */
  readonly lookup: LookupFunction;
  /** Throws `EgressDenied` when the host is denied by name, or is an IP literal that is denied (no lookup happens for those). */
  assertHostAllowed(hostname: string): void;
}

/** What a connector's `setup` gets at start. */
export interface SetupContext {
  /** The process environment: read your connector's `CONNECTOR_PROXY_<NAME>_*` variables here. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly settings: ProxySettings;
  readonly log: CommandLogger;
}
