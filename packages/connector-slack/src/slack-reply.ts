import { jsonNestsTooDeep, type CommandError } from '@connector-proxy/sdk';
import {
  slackApiError,
  slackChannelNotFound,
  slackInvalidAuth,
  slackInvalidResponse,
  slackNotInChannel,
  slackRateLimited,
  slackUnavailable,
  type SlackReplyBody,
} from './errors.js';
import type { SlackHttpReply } from './slack-transport.js';

/** What the failing call was about, for messages that name it. */
export interface SlackCallSubject {
  readonly channel: string;
}

// Slack's documented `error` reasons that all mean "this token cannot be used".
const AUTH_REASONS = new Set(['invalid_auth', 'not_authed', 'token_revoked', 'token_expired', 'account_inactive']);
// Slack's documented reasons for throttling that it may send with HTTP 200 instead of 429.
const RATE_LIMIT_REASONS = new Set(['ratelimited', 'rate_limited']);
// Enough of a non-JSON reply (an HTML error page, say) to tell what answered, no more.
const RAW_EXCERPT_LENGTH = 500;

/**
 * Reads a Web API answer: Slack's reply object when `ok` is true, else throws the error whose
 * code names the documented cause. The throttling and server-failure statuses are checked
 * before the body, because Slack's body is not guaranteed on those.
 */
export function readSlackReply(reply: SlackHttpReply, subject: SlackCallSubject): SlackReplyBody {
  const parsed = parseReplyObject(reply.text);
  if (reply.status === 429) {
    throw slackRateLimited(reply.retryAfterSeconds, parsed ?? nonJsonBody(reply, 'ratelimited'));
  }
  if (reply.status >= 500) {
    throw slackUnavailable(reply.status, parsed ?? nonJsonBody(reply, `http_${reply.status}`), reply.retryAfterSeconds);
  }
  if (parsed === undefined || typeof parsed.ok !== 'boolean') throw unreadableReply(reply, parsed);
  if (parsed.ok) return parsed;
  throw rejection(parsed, reply, subject);
}

function rejection(parsed: SlackReplyBody, reply: SlackHttpReply, subject: SlackCallSubject): CommandError {
  const reason = typeof parsed.error === 'string' ? parsed.error : 'unknown_error';
  if (AUTH_REASONS.has(reason)) return slackInvalidAuth(reason, parsed);
  if (RATE_LIMIT_REASONS.has(reason)) return slackRateLimited(reply.retryAfterSeconds, parsed);
  if (reason === 'channel_not_found') return slackChannelNotFound(subject.channel, parsed);
  if (reason === 'not_in_channel') return slackNotInChannel(subject.channel, parsed);
  // Slack answers 200 for its rejections; keep another 4xx it chose, else report 400.
  return slackApiError(reason, reply.status >= 400 ? reply.status : 400, parsed);
}

/** A reply that is not a Slack reply object: a 4xx keeps its status, anything else is a bad gateway. */
function unreadableReply(reply: SlackHttpReply, parsed: SlackReplyBody | undefined): CommandError {
  if (reply.status >= 400) {
    return slackApiError(`HTTP ${reply.status} without a Slack reply`, reply.status, parsed ?? nonJsonBody(reply, `http_${reply.status}`));
  }
  const detail = parsed === undefined ? `HTTP ${reply.status} with a body that is not JSON` : 'a JSON object without "ok"';
  return slackInvalidResponse(detail, parsed ?? nonJsonBody(reply, 'invalid_response'));
}

function parseReplyObject(text: string): SlackReplyBody | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined; // not JSON: each caller decides what that means for its status
  }
  // Nested thousands deep, it would overflow the stack when the envelope is written: unreadable.
  if (jsonNestsTooDeep(value, text)) return undefined;
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as SlackReplyBody) : undefined;
}

/** The body reported when Slack's answer was not JSON: Slack's shape, plus an excerpt of what came. */
function nonJsonBody(reply: SlackHttpReply, reason: string): SlackReplyBody {
  return { ok: false, error: reason, raw_response: reply.text.slice(0, RAW_EXCERPT_LENGTH) };
}
