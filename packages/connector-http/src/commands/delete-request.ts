import { requestCommand } from '../request-command.js';

export const deleteRequest = requestCommand({ name: 'DeleteRequest', method: 'DELETE', description: 'Sends a DELETE request and returns the answer' });
