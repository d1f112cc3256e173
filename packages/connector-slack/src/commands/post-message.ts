import { defineCommand, invalidParameters, Type, type CommandContext } from '@connector-proxy/sdk';
import type { SlackConfig } from '../slack-config.js';
import { readSlackReply } from '../slack-reply.js';
import { postSlackMethod } from '../slack-transport.js';

// What an HTTP header value can carry; a pasted token with a line break or space in it would
// otherwise fail inside the HTTP client as an internal error.
const HEADER_SAFE_TOKEN = /^[\x21-\x7e]+$/;

/** `slack/PostMessage`: posts a message to a channel with Slack's `chat.postMessage`. */
export const postMessage = defineCommand({
  name: 'PostMessage',
  description: "Posts a message to a Slack channel with the Web API's chat.postMessage and returns Slack's reply.",
  parameters: {
    token: Type.String({
      minLength: 1,
      description: 'A Slack bot (xoxb-...) or user (xoxp-...) token with the chat:write scope; best kept in a SpiffArena secret',
    }),
    channel: Type.String({
      minLength: 1,
      description: 'Where to post: a channel id (C0123ABCD), a channel name (#general) or a user id for a direct message',
    }),
    message: Type.String({ description: 'The message text in Slack mrkdwn, e.g. "Order 7 *shipped*"; with blocks, the text shown in notifications' }),
    blocks: Type.Optional(Type.Any({ description: 'Block Kit blocks for a richer layout: an array, or the same as a JSON string' })),
    thread_ts: Type.Optional(
      Type.String({ minLength: 1, description: 'The ts of a parent message (e.g. 1700000000.000100), to reply in its thread' }),
    ),
  },
  async run(params, ctx: CommandContext<SlackConfig>) {
    const token = params.token.trim();
    if (!HEADER_SAFE_TOKEN.test(token)) {
      throw invalidParameters([{ parameter: 'token', message: 'must be a Slack token such as xoxb-…, without spaces or line breaks' }]);
    }
    const payload: Record<string, unknown> = { channel: params.channel, text: params.message };
    if (params.blocks !== undefined) payload.blocks = params.blocks;
    if (params.thread_ts !== undefined) payload.thread_ts = params.thread_ts;

    ctx.log.info(`Posting a message to Slack channel ${params.channel}`);
    const reply = await postSlackMethod(ctx.config, 'chat.postMessage', token, payload, ctx.signal, ctx.responseBudget);
    const body = readSlackReply(reply, { channel: params.channel });
    ctx.log.info(`Slack accepted the message in channel ${String(body.channel ?? params.channel)} (ts ${String(body.ts)})`);
    return { body, httpStatus: reply.status };
  },
});
