/**
 * The Slack connector: `slack/PostMessage` through Slack's Web API.
 * Configuration: `CONNECTOR_PROXY_SLACK_API_URL` (default `https://slack.com/api`).
 */
import { defineConnector, SdkErrorCodes } from '@connector-proxy/sdk';
import { SlackErrorCodes } from './errors.js';
import { postMessage } from './commands/post-message.js';
import { closeSlackConfig, createSlackConfig, type SlackConfig } from './slack-config.js';

export { SlackErrorCodes } from './errors.js';
export { API_URL_VARIABLE, DEFAULT_API_URL, type SlackConfig } from './slack-config.js';

export default defineConnector<SlackConfig>({
  name: 'slack',
  description: "Posts messages to Slack with the Web API's chat.postMessage.",
  commands: [postMessage],
  errorCodes: [...Object.values(SlackErrorCodes), SdkErrorCodes.egressDenied],
  setup: createSlackConfig,
  close: closeSlackConfig,
});
