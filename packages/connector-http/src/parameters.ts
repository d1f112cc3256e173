/**
 * The HTTP commands' parameters, declared once. docs/protocol.md fixes the names, types and order of
 * the seed's parameters; the extras this connector adds are optional and listed after them.
 */
import { Type, type Static } from '@connector-proxy/sdk';

const url = Type.String({ description: 'The http: or https: URL to call' });
const headers = Type.Optional(Type.Any({ description: 'An object of header names to values' }));
const params = Type.Optional(Type.Any({ description: 'An object merged into the query string; arrays repeat the key' }));
const data = Type.Optional(Type.Any({ description: 'The request body, encoded as body_format says' }));
const bodyFormat = Type.Optional(Type.String({ description: 'json (default), form, raw or none' }));
const includeResponseHeaders = Type.Optional(Type.Boolean({ description: "Put the third party's headers in command_response.headers" }));
const basicAuthUsername = Type.Optional(Type.String());
const basicAuthPassword = Type.Optional(Type.String());
const followRedirects = Type.Optional(
  Type.Boolean({ description: 'Follow up to 10 redirects (default true); false answers a 3xx as HttpError3xx' }),
);
const attempts = Type.Optional(
  Type.Integer({ minimum: 1, maximum: 10, description: 'Tries in all; connection failures and 5xx answers are retried' }),
);

/** GetRequest, HeadRequest. */
export const queryRequestParameters = {
  url,
  headers,
  params,
  basic_auth_username: basicAuthUsername,
  basic_auth_password: basicAuthPassword,
  include_response_headers: includeResponseHeaders,
  follow_redirects: followRedirects,
};

/** PostRequest, PutRequest, PatchRequest, DeleteRequest. */
export const bodyRequestParameters = {
  url,
  headers,
  data,
  body_format: bodyFormat,
  include_response_headers: includeResponseHeaders,
  basic_auth_username: basicAuthUsername,
  basic_auth_password: basicAuthPassword,
  params,
  follow_redirects: followRedirects,
};

/** Only on idempotent methods (GET, HEAD, PUT, DELETE): repeating them cannot do the work twice. */
export const retryParameters = { attempts };

const allParameters = Type.Object({ ...queryRequestParameters, ...bodyRequestParameters, ...retryParameters });

/** Every parameter any HTTP command may receive, already validated against its own schema. */
export type RequestParameters = Static<typeof allParameters>;
