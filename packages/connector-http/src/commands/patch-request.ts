import { requestCommand } from '../request-command.js';

export const patchRequest = requestCommand({ name: 'PatchRequest', method: 'PATCH', description: 'Sends a PATCH request with data and returns the answer (never retried)' });
