import { isCommandError, networkFailure, redactSecrets, type CommandError, type NetworkFailureKind } from '@connector-proxy/sdk';
import {
  postgresAuthenticationFailed,
  postgresConstraintViolation,
  postgresDatabaseNotFound,
  postgresError,
  postgresInvalidStatement,
  postgresInvalidValue,
  postgresPermissionDenied,
  postgresTableExists,
  postgresTableNotFound,
  postgresTimeout,
  postgresUnreachable,
  type FailureDetails,
} from './errors.js';

/** Where a failure happened: while getting a connection, or while running a statement on it. */
export type Phase = 'connect' | 'statement';

export interface FailureContext {
  /** What was being done, e.g. `Selecting from table "orders"`. */
  action: string;
  phase: Phase;
  /** Strings no message may contain (the connection string's password). */
  secrets: readonly string[];
}

type Maker = (details: FailureDetails) => CommandError;

/**
 * Socket errors, by what the SDK's networkFailure reads in their code, in our own words: Node's
 * messages name the host. Other kinds (TLS, for one) keep node-postgres' message and the code.
 */
const NETWORK_FAILURES: Readonly<Partial<Record<NetworkFailureKind, readonly [Maker, string]>>> = {
  refused: [postgresUnreachable, 'the server refused the connection (is PostgreSQL listening at that host and port?)'],
  dns: [postgresUnreachable, "the server's host name could not be resolved"],
  reset: [postgresUnreachable, 'the server reset or closed the connection'],
  unreachable: [postgresUnreachable, 'the server cannot be reached (no route to its host or network)'],
  timeout: [postgresTimeout, 'the server did not answer in time'],
};

/** SQLSTATEs with a code of their own. */
const BY_SQLSTATE: ReadonlyMap<string, Maker> = new Map([
  ['42P01', postgresTableNotFound],
  ['42P07', postgresTableExists],
  ['42501', postgresPermissionDenied],
  ['2BP01', postgresConstraintViolation],
]);

/** SQLSTATE classes (the first two characters), for the rest. */
const BY_CLASS: ReadonlyMap<string, Maker> = new Map([
  ['42', postgresInvalidStatement], // syntax error, unknown column, type mismatch...
  ['0A', postgresInvalidStatement], // feature not supported
  ['3F', postgresInvalidStatement], // unknown schema
  ['22', postgresInvalidValue],
  ['23', postgresConstraintViolation],
]);

/** Classes where trying again later may succeed: connection, transaction rollback, resources, operator intervention, system. */
const TRANSIENT_CLASSES = new Set(['08', '40', '53', '57', '58']);

/**
 * The error code for any failure of node-postgres or of the server, decided by the SQLSTATE or
 * Node's system error code (never by `instanceof`). Messages are the server's own text (which
 * never holds the connection string) with any secret scrubbed, after what was being done.
 */
export function postgresFailure(error: unknown, context: FailureContext): CommandError {
  if (isCommandError(error)) return error;
  const { code, message, detail } = readError(error);
  const details = (reason: string, sqlstate?: string): FailureDetails => ({
    action: context.action,
    reason: redactSecrets(reason, context.secrets),
    sqlstate,
  });
  const sqlstate = sqlstateOf(error);
  if (sqlstate !== undefined) return sqlstateFailure(sqlstate, detail ? `${message} (${detail})` : message, details);
  const kind = networkFailure(error)?.kind;
  const network = kind === undefined ? undefined : NETWORK_FAILURES[kind];
  if (network) return network[0](details(network[1]));
  if (context.phase === 'connect') {
    // node-postgres' own connect failures carry no code: a timeout, or a connection the server dropped.
    const reason = code === undefined ? message : `${message} (${code})`;
    return /timeout|timed out/i.test(message) ? postgresTimeout(details(reason)) : postgresUnreachable(details(reason));
  }
  return postgresError(details(`the connection to PostgreSQL failed: ${message}`), true);
}

/** The SQLSTATE of an error the server sent (node-postgres' DatabaseError has a severity), else `undefined`. */
export function sqlstateOf(error: unknown): string | undefined {
  const { code, severity } = readError(error);
  return code !== undefined && severity !== undefined && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

function sqlstateFailure(sqlstate: string, serverReason: string, details: (reason: string, sqlstate?: string) => FailureDetails): CommandError {
  const sqlClass = sqlstate.slice(0, 2);
  // The server's wording would name the user or the database of the connection string.
  if (sqlClass === '28') {
    return postgresAuthenticationFailed(details('PostgreSQL did not accept the user name or password of database_connection_str', sqlstate));
  }
  if (sqlstate === '3D000') return postgresDatabaseNotFound(details('the database named in database_connection_str does not exist', sqlstate));
  if (sqlstate === '57014') {
    return postgresTimeout(details(`${serverReason}; CONNECTOR_PROXY_POSTGRES_STATEMENT_TIMEOUT_MS bounds every statement`, sqlstate));
  }
  const maker = BY_SQLSTATE.get(sqlstate) ?? BY_CLASS.get(sqlClass);
  if (maker) return maker(details(serverReason, sqlstate));
  return postgresError(details(serverReason, sqlstate), TRANSIENT_CLASSES.has(sqlClass));
}

interface ErrorFields {
  code: string | undefined;
  message: string;
  detail: string | undefined;
  /** Set on errors the server sent (node-postgres' DatabaseError), never on socket errors. */
  severity: string | undefined;
}

function readError(error: unknown): ErrorFields {
  const fields = (typeof error === 'object' && error !== null ? error : {}) as Record<string, unknown>;
  const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
  return {
    code: text(fields.code),
    message: text(fields.message) ?? String(error),
    detail: text(fields.detail),
    severity: text(fields.severity),
  };
}
