import { commandError, type CommandError } from '@connector-proxy/sdk';

/**
 * This package's stable error codes. BPMN boundary events catch by these: never rename one.
 * `httpStatus` tells the engine whether a retry may help (5xx) or not (4xx).
 */
export const PostgresErrorCodes = {
  unreachable: 'PostgresUnreachable',
  authenticationFailed: 'PostgresAuthenticationFailed',
  databaseNotFound: 'PostgresDatabaseNotFound',
  tableNotFound: 'PostgresTableNotFound',
  tableExists: 'PostgresTableExists',
  invalidStatement: 'PostgresInvalidStatement',
  invalidValue: 'PostgresInvalidValue',
  permissionDenied: 'PostgresPermissionDenied',
  constraintViolation: 'PostgresConstraintViolation',
  timeout: 'PostgresTimeout',
  resultTooLarge: 'PostgresResultTooLarge',
  copyNotSupported: 'PostgresCopyNotSupported',
  postgresError: 'PostgresError',
} as const;

/** What every failure carries besides its code: what was being done, why it failed, the SQLSTATE. */
export interface FailureDetails {
  /** What was being done, e.g. `Selecting from table "orders"`. */
  action: string;
  /** Why it failed, in words free of any secret. */
  reason: string;
  /** PostgreSQL's five-character error code, when the server gave one. */
  sqlstate: string | undefined;
}

function failure(code: string, httpStatus: number, details: FailureDetails): CommandError {
  return commandError({
    code,
    httpStatus,
    message: `${details.action} failed: ${details.reason}`,
    // No `cause`: driver and socket errors name hosts and users; the message says what matters.
    body: { sqlstate: details.sqlstate ?? null },
  });
}

/** The server could not be reached: refused, unresolvable, reset, connection lost (502, retried). */
export function postgresUnreachable(details: FailureDetails): CommandError {
  return failure(PostgresErrorCodes.unreachable, 502, details);
}

/** The server refused the user name or password of the connection string (401). */
export function postgresAuthenticationFailed(details: FailureDetails): CommandError {
  return failure(PostgresErrorCodes.authenticationFailed, 401, details);
}

/** The database named in the connection string does not exist (404). */
export function postgresDatabaseNotFound(details: FailureDetails): CommandError {
  return failure(PostgresErrorCodes.databaseNotFound, 404, details);
}

/** The table (relation) does not exist (404). */
export function postgresTableNotFound(details: FailureDetails): CommandError {
  return failure(PostgresErrorCodes.tableNotFound, 404, details);
}

/** A table (relation) of that name already exists (409). */
export function postgresTableExists(details: FailureDetails): CommandError {
  return failure(PostgresErrorCodes.tableExists, 409, details);
}

/** The server rejected the statement: a syntax error, an unknown column, a type mismatch... (400). */
export function postgresInvalidStatement(details: FailureDetails): CommandError {
  return failure(PostgresErrorCodes.invalidStatement, 400, details);
}

/** A value does not fit its column: not a number, out of range, a bad date... (400). */
export function postgresInvalidValue(details: FailureDetails): CommandError {
  return failure(PostgresErrorCodes.invalidValue, 400, details);
}

/** The database user lacks a privilege the statement needs (403). */
export function postgresPermissionDenied(details: FailureDetails): CommandError {
  return failure(PostgresErrorCodes.permissionDenied, 403, details);
}

/** A unique, foreign-key, not-null or check constraint, or a dependent object, stopped the change (409). */
export function postgresConstraintViolation(details: FailureDetails): CommandError {
  return failure(PostgresErrorCodes.constraintViolation, 409, details);
}

/** The statement ran past its timeout, connecting took too long, or the call's deadline passed (504, retried). */
export function postgresTimeout(details: FailureDetails): CommandError {
  return failure(PostgresErrorCodes.timeout, 504, details);
}

/**
 * The rows came to more than the proxy reads (`CONNECTOR_PROXY_MAX_RESPONSE_BYTES`): 413, since
 * the same statement would bring the same rows again; select fewer rows or columns.
 */
export function postgresResultTooLarge(action: string, limitBytes: number): CommandError {
  return failure(PostgresErrorCodes.resultTooLarge, 413, {
    action,
    reason: `the rows came to more than the ${limitBytes} bytes this proxy reads (CONNECTOR_PROXY_MAX_RESPONSE_BYTES); select fewer rows or columns`,
    sqlstate: undefined,
  });
}

/**
 * The SQL asked for `COPY ... FROM STDIN` or `COPY ... TO STDOUT`, which need a data stream beside
 * the statement that a command call does not have (400: the same SQL fails the same way).
 */
export function postgresCopyNotSupported(action: string): CommandError {
  return failure(PostgresErrorCodes.copyNotSupported, 400, {
    action,
    reason:
      'COPY ... FROM STDIN and COPY ... TO STDOUT are not supported through this command (they need a data stream beside the SQL); insert rows with INSERT ... VALUES or InsertValues, read them with SELECT',
    sqlstate: undefined,
  });
}

/** Any other failure; `transient` ones (resources, shutdown, serialization) are worth a retry. */
export function postgresError(details: FailureDetails, transient: boolean): CommandError {
  return failure(PostgresErrorCodes.postgresError, transient ? 502 : 500, details);
}

/**
 * The server asked for a password and the connection string has none. Raised instead of letting
 * the driver fall back to the proxy's own `PGPASSWORD` or `~/.pgpass`.
 */
export function postgresPasswordMissing(): CommandError {
  return commandError({
    code: PostgresErrorCodes.authenticationFailed,
    httpStatus: 401,
    message: 'Connecting to PostgreSQL failed: the server asks for a password and database_connection_str has none',
    body: { sqlstate: null },
  });
}
