import { requestCommands } from '../request-command.js';

export const { seed: headRequest, v2: headRequestV2 } = requestCommands({
  name: 'HeadRequest',
  method: 'HEAD',
  description: "Sends an HTTP HEAD request: the answer's status (and headers with include_response_headers), no body",
});
