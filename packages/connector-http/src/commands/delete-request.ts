import { requestCommands } from '../request-command.js';

export const { seed: deleteRequest, v2: deleteRequestV2 } = requestCommands({
  name: 'DeleteRequest',
  method: 'DELETE',
  description: 'Sends an HTTP DELETE request (with data as its body, if given) and returns the answer',
});
