/**
 * The `http` connector: GetRequest, HeadRequest, PostRequest, PutRequest, PatchRequest and
 * DeleteRequest (docs/protocol.md, "The HTTP connector"), each also under connector-http's V2 id
 * (GetRequestV2 ...), which current SpiffArena sends to a proxy. README.md documents
 * parameters, errors and which id to use with which SpiffArena.
 */
import { defineConnector, SdkErrorCodes } from '@connector-proxy/sdk';
import { HttpConnectorCodes } from './errors.js';
import { deleteRequest, deleteRequestV2 } from './commands/delete-request.js';
import { getRequest, getRequestV2 } from './commands/get-request.js';
import { headRequest, headRequestV2 } from './commands/head-request.js';
import { patchRequest, patchRequestV2 } from './commands/patch-request.js';
import { postRequest, postRequestV2 } from './commands/post-request.js';
import { putRequest, putRequestV2 } from './commands/put-request.js';
import { closeHttpClient, createHttpClient, type HttpClient } from './http-client.js';

export default defineConnector<HttpClient>({
  name: 'http',
  description: 'Calls HTTP(S) APIs: GET, HEAD, POST, PUT, PATCH and DELETE',
  commands: [
    getRequest,
    headRequest,
    postRequest,
    putRequest,
    patchRequest,
    deleteRequest,
    getRequestV2,
    headRequestV2,
    postRequestV2,
    putRequestV2,
    patchRequestV2,
    deleteRequestV2,
  ],
  // Beside its own: the shared budget for answers' bytes, and OAuth2 refreshes (SDK codes).
  errorCodes: ['HttpError{status}', ...Object.values(HttpConnectorCodes), SdkErrorCodes.responseBudgetExceeded, SdkErrorCodes.oauthRefreshFailed],
  setup: ({ settings }) => createHttpClient(settings),
  close: closeHttpClient,
});

export { HttpConnectorCodes } from './errors.js';
export type { HttpClient } from './http-client.js';
export { buildRequestTarget, type RequestTarget } from './request-target.js';
export { parseXml } from './xml-document.js';
