import { isCommandError, networkFailure, redactSecrets, type CommandError } from '@connector-proxy/sdk';
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
      return socketFailure(error, reason, server);
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

/**
 * A connection that failed or broke. nodemailer's own code (`ESOCKET`, ...) says only where; the
 * socket's, which it keeps as `originalCode`, says what, as the SDK's networkFailure reads it
 * (TLS verdicts such as CERT_HAS_EXPIRED come that way too, from the handshake).
 */
function socketFailure(error: NodemailerError, reason: string, server: string): CommandError {
  const failure = error.originalCode === undefined ? undefined : networkFailure({ code: error.originalCode });
  switch (failure?.kind) {
    case 'timeout':
      return smtpTimeout(server, reason, error);
    case 'tls':
      return smtpTlsFailed(server, reason, error);
    case 'refused':
      return smtpConnectionRefused(server, 'the connection was refused (is the host and port right, and is the server running?)', error);
    case 'dns':
      return smtpConnectionRefused(server, 'the host name could not be resolved', error);
    case 'reset':
      return smtpConnectionRefused(server, 'the server closed the connection', error);
    default:
      return smtpConnectionRefused(server, error.code === 'EDNS' ? 'the host name could not be resolved' : reason, error);
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
