import { requestCommands } from '../request-command.js';

export const { seed: postRequest, v2: postRequestV2 } = requestCommands({
  name: 'PostRequest',
  method: 'POST',
  description: 'Sends an HTTP POST request with data as its body and returns the answer (never retried: it may create things twice)',
});
