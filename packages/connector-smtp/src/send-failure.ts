import { isCommandError, redactSecrets, type CommandError } from '@connector-proxy/sdk';
import type { NodemailerError } from 'nodemailer';
import {
  smtpAuthenticationFailed,
  smtpConnectionRefused,
  smtpError,
  smtpMessageRejected,
  smtpRecipientsRefused,
  smtpTimeout,
  smtpTlsFailed,
  smtpTlsRequired,
} from './errors.js';

/** What a failure message may mention, and what it must never contain. */
export interface FailureContext {
  /** `host:port`, for messages. */
  server: string;
  /** Texts to blank out of anything quoted from the server (the password and its SASL encodings). */
  secrets: readonly string[];
}

// 530 "Authentication required" (RFC 4954) comes as the reply to MAIL FROM: a login problem.
const AUTHENTICATION_REQUIRED = 530;
const MAX_QUOTED_LENGTH = 500;
// Node reports a failed TLS handshake as a socket error carrying OpenSSL's verification code
// (CERT_HAS_EXPIRED, DEPTH_ZERO_SELF_SIGNED_CERT, ERR_TLS_CERT_ALTNAME_INVALID, ...).
const TLS_FAILURE_CODE = /^ERR_(TLS|SSL)_|CERT|SELF_SIGNED|^UNABLE_TO_/;

/**
 * The command error for a failed nodemailer send, chosen by nodemailer's `code` and the SMTP
 * reply code (never by `instanceof`: errors may come from another copy of nodemailer).
 * A command error (the egress policy's) is answered as it is; anything else that is not a
 * nodemailer error is a bug and is rethrown (a 500 `internal_error`).
 */
export function toSendFailure(error: unknown, context: FailureContext): CommandError {
  // Already made for the workflow: the egress policy's EgressDenied, by name or from the socket's lookup.
  if (isCommandError(error)) return error;
  if (!isNodemailerError(error)) throw error;
  const { server } = context;
  const reply = quoted(error.response, context);
  const reason = quoted(error.message, context) ?? 'unknown error';
  switch (error.code) {
    case 'EAUTH':
    case 'ENOAUTH':
      return smtpAuthenticationFailed(server, reply, error);
    case 'EENVELOPE':
      if (error.rejected && error.rejected.length > 0) {
        return smtpRecipientsRefused(server, refusedRecipients(error, context), error.responseCode, error);
      }
      return rejection(error, reply ?? reason, context);
    case 'EMESSAGE':
      return rejection(error, reply ?? reason, context);
    case 'ETLS':
      // A reply to the STARTTLS command means the server refused or lacks it; no reply means the handshake failed.
      return error.command === 'STARTTLS' && error.responseCode
        ? smtpTlsRequired(server, reply, error)
        : smtpTlsFailed(server, reason, error);
    case 'ETIMEDOUT':
      return smtpTimeout(server, reason, error);
    case 'EABORT':
      return smtpTimeout(server, 'the call reached its deadline before the message was sent', error);
    case 'ECONNECTION':
    case 'ESOCKET':
    case 'EDNS':
      if (error.originalCode === 'ETIMEDOUT') return smtpTimeout(server, reason, error);
      if (TLS_FAILURE_CODE.test(error.originalCode ?? '')) return smtpTlsFailed(server, reason, error);
      return smtpConnectionRefused(server, unreachableReason(error, reason), error);
    default:
      return error.responseCode ? rejection(error, reply ?? reason, context) : smtpError(server, reason, error);
  }
}

function rejection(error: NodemailerError, reply: string, context: FailureContext): CommandError {
  if (error.responseCode === AUTHENTICATION_REQUIRED) return smtpAuthenticationFailed(context.server, reply, error);
  return smtpMessageRejected(context.server, error.responseCode, reply, error);
}

function refusedRecipients(error: NodemailerError, context: FailureContext) {
  const responses = new Map((error.rejectedErrors ?? []).map((e) => [e.recipient, quoted(e.response, context)]));
  return (error.rejected ?? []).map((address) => ({ address, response: responses.get(address) }));
}

function unreachableReason(error: NodemailerError, reason: string): string {
  switch (error.originalCode ?? error.code) {
    case 'ECONNREFUSED':
      return 'the connection was refused (is the host and port right, and is the server running?)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EDNS':
      return 'the host name could not be resolved';
    case 'ECONNRESET':
      return 'the server closed the connection';
    default:
      return reason;
  }
}

/** A text from the server or from nodemailer, safe and short enough to put in a message. */
function quoted(text: string | undefined, context: FailureContext): string | undefined {
  if (!text) return undefined;
  const safe = redactSecrets(text.trim(), context.secrets);
  return safe.length > MAX_QUOTED_LENGTH ? `${safe.slice(0, MAX_QUOTED_LENGTH)}…` : safe;
}

function isNodemailerError(error: unknown): error is NodemailerError & { code: string } {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  return typeof code === 'string' && typeof message === 'string';
}
