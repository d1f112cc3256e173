/**
 * The `http` connector: GetRequest, HeadRequest, PostRequest, PutRequest, PatchRequest and
 * DeleteRequest (docs/protocol.md, "The built-in connectors' commands"). README.md documents parameters and errors.
 */
import { defineConnector } from '@connector-proxy/sdk';
import { HttpConnectorCodes } from './errors.js';
import { deleteRequest } from './commands/delete-request.js';
import { getRequest } from './commands/get-request.js';
import { headRequest } from './commands/head-request.js';
import { patchRequest } from './commands/patch-request.js';
import { postRequest } from './commands/post-request.js';
import { putRequest } from './commands/put-request.js';
import { closeHttpClient, createHttpClient, type HttpClient } from './http-client.js';

export default defineConnector<HttpClient>({
  name: 'http',
  description: 'Calls HTTP(S) APIs: GET, HEAD, POST, PUT, PATCH and DELETE',
  commands: [getRequest, headRequest, postRequest, putRequest, patchRequest, deleteRequest],
  errorCodes: ['HttpError{status}', ...Object.values(HttpConnectorCodes)],
  setup: ({ settings }) => createHttpClient(settings),
  close: closeHttpClient,
});

export { HttpConnectorCodes } from './errors.js';
export type { HttpClient } from './http-client.js';
export { buildRequestTarget, type RequestTarget } from './request-target.js';
export { parseXml } from './xml-document.js';
