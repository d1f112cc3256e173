import { commandError, type CommandError } from '@connector-proxy/sdk';

/**
 * This package's stable error codes. BPMN boundary events catch by these: never rename one.
 * `httpStatus` tells the engine whether a retry may help (5xx) or not (4xx).
 */
export const SmtpErrorCodes = {
  authenticationFailed: 'SmtpAuthenticationFailed',
  recipientsRefused: 'SmtpRecipientsRefused',
  connectionRefused: 'SmtpConnectionRefused',
  timeout: 'SmtpTimeout',
  tlsRequired: 'SmtpTlsRequired',
  tlsFailed: 'SmtpTlsFailed',
  messageRejected: 'SmtpMessageRejected',
  smtpError: 'SmtpError',
} as const;

/** A recipient the server refused, with the server's reply to its RCPT TO. */
export interface RefusedRecipient {
  address: string;
  response: string | undefined;
}

/** RFC 5321: 4yz replies are transient (worth retrying), 5yz permanent. */
function isTransientReply(responseCode: number | undefined): boolean {
  return responseCode !== undefined && responseCode >= 400 && responseCode < 500;
}

/** 503 lets the engine retry a transient refusal; 400 marks a permanent one as not worth retrying. */
function rejectionStatus(transient: boolean): number {
  return transient ? 503 : 400;
}

function withReply(sentence: string, reply: string | undefined): string {
  return reply ? `${sentence}: ${reply}` : `${sentence}.`;
}

/** The server refused the credentials, or demands credentials that were not given (401). */
export function smtpAuthenticationFailed(server: string, reply: string | undefined, cause: unknown): CommandError {
  return commandError({
    code: SmtpErrorCodes.authenticationFailed,
    httpStatus: 401,
    message: withReply(`The SMTP server ${server} did not accept the login (check smtp_user and smtp_password)`, reply),
    body: { smtp_response: reply ?? null },
    cause,
  });
}

/**
 * Every recipient was refused: 400, or 503 when the reply that decided it was transient (a 4xx
 * such as greylisting's 451), since a retry may then deliver.
 */
export function smtpRecipientsRefused(
  server: string,
  refused: readonly RefusedRecipient[],
  responseCode: number | undefined,
  cause: unknown,
): CommandError {
  const list = refused.map((r) => (r.response ? `${r.address} (${r.response})` : r.address)).join(', ');
  return commandError({
    code: SmtpErrorCodes.recipientsRefused,
    httpStatus: rejectionStatus(isTransientReply(responseCode)),
    message: `The SMTP server ${server} refused every recipient: ${list}`,
    body: { rejected: refused.map((r) => r.address), responses: refused.map((r) => r.response ?? null) },
    cause,
  });
}

/** The server could not be reached: refused, unresolvable, reset (502, retried). */
export function smtpConnectionRefused(server: string, reason: string, cause: unknown): CommandError {
  return commandError({
    code: SmtpErrorCodes.connectionRefused,
    httpStatus: 502,
    message: `Could not reach the SMTP server ${server}: ${reason}.`,
    cause,
  });
}

/** The server did not answer in time, or the call's deadline passed (504, retried). */
export function smtpTimeout(server: string, reason: string, cause: unknown): CommandError {
  return commandError({
    code: SmtpErrorCodes.timeout,
    httpStatus: 504,
    message: `The SMTP server ${server} did not answer in time: ${reason}.`,
    cause,
  });
}

/** smtp_starttls was asked for but the server does not offer STARTTLS (502). */
export function smtpTlsRequired(server: string, reply: string | undefined, cause: unknown): CommandError {
  return commandError({
    code: SmtpErrorCodes.tlsRequired,
    httpStatus: 502,
    message: withReply(`smtp_starttls is true but the SMTP server ${server} does not support STARTTLS`, reply),
    body: { smtp_response: reply ?? null },
    cause,
  });
}

/** The STARTTLS upgrade failed, e.g. an untrusted certificate (502). */
export function smtpTlsFailed(server: string, reason: string, cause: unknown): CommandError {
  return commandError({
    code: SmtpErrorCodes.tlsFailed,
    httpStatus: 502,
    message: `The TLS upgrade (STARTTLS) with the SMTP server ${server} failed: ${reason}.`,
    cause,
  });
}

/** The server refused the sender or the message (4xx reply → 503, retried; 5xx or none → 400, permanent). */
export function smtpMessageRejected(server: string, responseCode: number | undefined, reply: string, cause: unknown): CommandError {
  return commandError({
    code: SmtpErrorCodes.messageRejected,
    httpStatus: rejectionStatus(isTransientReply(responseCode)),
    message: `The SMTP server ${server} rejected the message: ${reply}`,
    body: { smtp_response: reply, smtp_response_code: responseCode ?? null },
    cause,
  });
}

/** Any other failure of the SMTP exchange, e.g. a reply that is not SMTP (502). */
export function smtpError(server: string, reason: string, cause: unknown): CommandError {
  return commandError({
    code: SmtpErrorCodes.smtpError,
    httpStatus: 502,
    message: `The SMTP exchange with ${server} failed: ${reason}`,
    cause,
  });
}
