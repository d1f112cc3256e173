/**
 * The HTTP commands' parameters, declared once, and the two orders they are listed in: the
 * seed's (docs/protocol.md fixes its names, types and order) and connector-http's V2 ids'. Each
 * lists its own parameters first, then the optional extras this connector adds.
 */
import { Type, type Static, type TProperties } from '@connector-proxy/sdk';

// The scheme is checked here too (the request checks the whole URL): a URL that cannot be one is
// then named with every other bad parameter of the call, not after they are fixed.
const url = Type.String({
  pattern: '^[\\x00-\\x20]*[Hh][Tt][Tt][Pp][Ss]?:',
  description: 'The http: or https: URL to call, e.g. https://api.example.com/orders/7',
});
const headers = Type.Optional(
  Type.Any({ description: 'Request headers as an object of names to values, e.g. {"Accept": "application/json"}' }),
);
const params = Type.Optional(
  Type.Any({ description: 'Query parameters as an object, added to the URL\'s query; a list repeats the key, e.g. {"page": 2, "tag": ["a", "b"]}' }),
);
const data = Type.Optional(Type.Any({ description: 'The request body, sent as body_format says (JSON by default), e.g. {"name": "Ada"}' }));
const bodyFormat = Type.Optional(
  Type.String({ description: 'How data is sent: json (the default), form (form-encoded; data an object), raw (a string as is) or none (no body)' }),
);
const includeResponseHeaders = Type.Optional(
  Type.Boolean({ description: "true: also return the third party's response headers in command_response.headers; default false" }),
);
const basicAuthUsername = Type.Optional(Type.String({ description: 'User name for HTTP Basic authentication, sent only together with basic_auth_password' }));
const basicAuthPassword = Type.Optional(Type.String({ description: 'Password for HTTP Basic authentication, sent only together with basic_auth_username; never logged' }));
const followRedirects = Type.Optional(
  Type.Boolean({ description: 'Follow redirects, up to 10 (default true); false returns a 3xx answer as the error HttpError3xx' }),
);
const attempts = Type.Optional(
  Type.Integer({
    minimum: 1,
    maximum: 10,
    description: 'Tries in all, 1 to 10 (default 1): a refused or reset connection, a timeout or a 5xx answer is tried again after a short pause',
  }),
);

const basicAuth = { basic_auth_username: basicAuthUsername, basic_auth_password: basicAuthPassword };
const oauthProvider = Type.Optional(
  Type.String({ description: 'An OAuth2 connection as GET /v1/auths lists it (e.g. github/OAuth): its access token is sent as Bearer' }),
);
const oauthTokenSet = Type.Optional(
  Type.Any({ description: 'The token set SpiffArena stored for oauth_provider (object or JSON text); refreshed when expired or answered 401' }),
);
/** OAuth2 connections (oauth-authorization.ts): on every HTTP command, whichever parameter list it takes. */
const oauthParameters = { oauth_provider: oauthProvider, oauth_token_set: oauthTokenSet };

/** The parameter lists of one family of ids: for commands without a body, and with one. */
export interface ParameterLists {
  query: TProperties;
  body: TProperties;
}

// GetRequest, HeadRequest: docs/protocol.md's list, then the extras.
const seedQuery = { url, headers, params, ...basicAuth, include_response_headers: includeResponseHeaders, follow_redirects: followRedirects, ...oauthParameters };
// PostRequest, PutRequest, PatchRequest, DeleteRequest: docs/protocol.md's list, then the extras.
const seedBody = {
  url,
  headers,
  data,
  body_format: bodyFormat,
  include_response_headers: includeResponseHeaders,
  ...basicAuth,
  params,
  follow_redirects: followRedirects,
  ...oauthParameters,
};
// GetRequestV2 (and HeadRequestV2, in connector-http's newest version): its list, `attempts`
// included, then the extras.
const v2Query = {
  url,
  headers,
  params,
  ...basicAuth,
  attempts,
  include_response_headers: includeResponseHeaders,
  follow_redirects: followRedirects,
  ...oauthParameters,
};
// PostRequestV2, PutRequestV2, PatchRequestV2, DeleteRequestV2: its list, then the extras.
const v2Body = {
  url,
  headers,
  data,
  ...basicAuth,
  body_format: bodyFormat,
  include_response_headers: includeResponseHeaders,
  params,
  follow_redirects: followRedirects,
  ...oauthParameters,
};

/** The seed's ids (`http/GetRequest` ...). */
export const seedParameters: ParameterLists = { query: seedQuery, body: seedBody };

/** connector-http's V2 ids (`http/GetRequestV2` ...). */
export const v2Parameters: ParameterLists = { query: v2Query, body: v2Body };

/**
 * Only on idempotent methods (GET, HEAD, PUT, DELETE): repeating them cannot do the work twice.
 * Spread after a list that already has `attempts`, it keeps that list's position.
 */
export const retryParameters = { attempts };

const allParameters = Type.Object({ ...seedQuery, ...seedBody, ...retryParameters });

/** Every parameter any HTTP command may receive, already validated against its own schema. */
export type RequestParameters = Static<typeof allParameters>;
