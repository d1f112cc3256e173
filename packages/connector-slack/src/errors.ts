import { commandError, type CommandError } from '@connector-proxy/sdk';

/**
 * This package's stable error codes. BPMN boundary events catch by these, so they never change;
 * README.md documents each one with its status.
 */
export const SlackErrorCodes = {
  channelNotFound: 'SlackChannelNotFound',
  notInChannel: 'SlackNotInChannel',
  invalidAuth: 'SlackInvalidAuth',
  rateLimited: 'SlackRateLimited',
  apiError: 'SlackApiError',
  unavailable: 'SlackUnavailable',
  unreachable: 'SlackUnreachable',
  timeout: 'SlackTimeout',
  invalidResponse: 'SlackInvalidResponse',
  /** The proxy-wide code for an answer over `CONNECTOR_PROXY_MAX_RESPONSE_BYTES`, shared with the HTTP connector. */
  responseTooLarge: 'ResponseTooLarge',
} as const;

/** What Slack answered, already free of the caller's token: kept as the envelope's body. */
export type SlackReplyBody = Record<string, unknown>;

// Slack answered HTTP 200 with `ok: false`: the request itself was rejected, so it is not
// worth retrying as is (400), unless the token is the problem (401).
const REJECTED_STATUS = 400;
const UNAUTHORIZED_STATUS = 401;

export function slackChannelNotFound(channel: string, reply: SlackReplyBody): CommandError {
  return commandError({
    code: SlackErrorCodes.channelNotFound,
    httpStatus: REJECTED_STATUS,
    message: `Slack has no channel "${channel}" that this token can see (channel_not_found)`,
    body: reply,
  });
}

export function slackNotInChannel(channel: string, reply: SlackReplyBody): CommandError {
  return commandError({
    code: SlackErrorCodes.notInChannel,
    httpStatus: REJECTED_STATUS,
    message: `The Slack app is not a member of channel "${channel}": invite it to the channel first (not_in_channel)`,
    body: reply,
  });
}

export function slackInvalidAuth(reason: string, reply: SlackReplyBody): CommandError {
  return commandError({
    code: SlackErrorCodes.invalidAuth,
    httpStatus: UNAUTHORIZED_STATUS,
    message: `Slack refused the token (${reason}): check that it is a valid, active bot or user token`,
    body: reply,
  });
}

export function slackRateLimited(retryAfterSeconds: number | undefined, reply: SlackReplyBody): CommandError {
  const when = retryAfterSeconds === undefined ? 'later' : `after ${retryAfterSeconds} seconds`;
  return commandError({
    code: SlackErrorCodes.rateLimited,
    httpStatus: 429,
    message: `Slack is rate-limiting this app; retry ${when}`,
    body: reply,
    retryAfterSeconds,
    headers: retryAfterSeconds === undefined ? undefined : { 'retry-after': String(retryAfterSeconds) },
  });
}

export function slackApiError(reason: string, httpStatus: number, reply: SlackReplyBody): CommandError {
  return commandError({
    code: SlackErrorCodes.apiError,
    httpStatus,
    message: `Slack rejected the message: ${reason}`,
    body: reply,
  });
}

/** Slack's own servers failed (5xx): 503 when Slack says it is unavailable, else 502. */
export function slackUnavailable(slackStatus: number, reply: SlackReplyBody, retryAfterSeconds: number | undefined): CommandError {
  return commandError({
    code: SlackErrorCodes.unavailable,
    httpStatus: slackStatus === 503 ? 503 : 502,
    message: `Slack's API failed with HTTP ${slackStatus}; try again later`,
    body: reply,
    retryAfterSeconds,
  });
}

export function slackUnreachable(host: string, reason: string, cause: unknown): CommandError {
  return commandError({
    code: SlackErrorCodes.unreachable,
    httpStatus: 502,
    message: `Slack's API at ${host} could not be reached (${reason})`,
    body: { ok: false, error: 'unreachable' },
    cause,
  });
}

export function slackTimeout(what: string, cause: unknown): CommandError {
  return commandError({
    code: SlackErrorCodes.timeout,
    httpStatus: 504,
    message: what,
    body: { ok: false, error: 'timeout' },
    cause,
  });
}

export function slackInvalidResponse(detail: string, reply: SlackReplyBody, cause?: unknown): CommandError {
  return commandError({
    code: SlackErrorCodes.invalidResponse,
    httpStatus: 502,
    message: `Slack's API answered with something that is not a Slack reply: ${detail}`,
    body: reply,
    cause,
  });
}

export function slackResponseTooLarge(host: string, maxBytes: number): CommandError {
  return commandError({
    code: SlackErrorCodes.responseTooLarge,
    httpStatus: 502,
    message: `Slack's API at ${host} sent a reply larger than this proxy's limit of ${maxBytes} bytes (CONNECTOR_PROXY_MAX_RESPONSE_BYTES); it was cut off`,
    body: { ok: false, error: 'response_too_large' },
  });
}
