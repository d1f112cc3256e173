import { requestCommands } from '../request-command.js';

export const { seed: getRequest, v2: getRequestV2 } = requestCommands({
  name: 'GetRequest',
  method: 'GET',
  description: 'Sends an HTTP GET request and returns the answer: its status and its body (JSON or XML as an object, other text as raw_response)',
});
