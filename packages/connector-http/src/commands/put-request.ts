import { requestCommands } from '../request-command.js';

export const { seed: putRequest, v2: putRequestV2 } = requestCommands({
  name: 'PutRequest',
  method: 'PUT',
  description: 'Sends an HTTP PUT request with data as its body and returns the answer',
});
