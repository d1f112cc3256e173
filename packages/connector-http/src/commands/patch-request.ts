import { requestCommands } from '../request-command.js';

export const { seed: patchRequest, v2: patchRequestV2 } = requestCommands({
  name: 'PatchRequest',
  method: 'PATCH',
  description: 'Sends an HTTP PATCH request with data as its body and returns the answer (never retried)',
});
