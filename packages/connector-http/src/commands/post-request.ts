import { requestCommand } from '../request-command.js';

export const postRequest = requestCommand({ name: 'PostRequest', method: 'POST', description: 'Sends a POST request with data and returns the answer (never retried)' });
