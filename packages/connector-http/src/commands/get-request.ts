import { requestCommand } from '../request-command.js';

export const getRequest = requestCommand({ name: 'GetRequest', method: 'GET', description: 'Sends a GET request and returns the answer' });
