import { requestCommand } from '../request-command.js';

export const headRequest = requestCommand({ name: 'HeadRequest', method: 'HEAD', description: "Sends a HEAD request: the answer's status and headers, no body" });
