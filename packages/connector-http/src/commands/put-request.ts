import { requestCommand } from '../request-command.js';

export const putRequest = requestCommand({ name: 'PutRequest', method: 'PUT', description: 'Sends a PUT request with data and returns the answer' });
