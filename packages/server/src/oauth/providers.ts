/**
 * The OAuth2 providers of `CONNECTOR_PROXY_OAUTH_PROVIDERS`: a JSON file, read and checked once
 * at start. A bad file stops the start with a message that names the variable and the problem.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { configurationError, type CommandError } from '@connector-proxy/sdk';
import { Type, type Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { Environment } from '../config.js';

const VARIABLE = 'CONNECTOR_PROXY_OAUTH_PROVIDERS';

/** The suffix SpiffArena's callback route needs: it stores the set as the secret `<service>/<auth_method>`. */
const AUTH_SUFFIX = '/OAuth';

/** How the client authenticates at the token endpoint (RFC 6749 §2.3.1). */
export type TokenAuthMethod = 'client_secret_post' | 'client_secret_basic';

/** One provider, checked, its secret resolved. */
export interface OAuthProvider {
  /** e.g. `github`: the first segment of the routes and of the secret's name. */
  readonly id: string;
  /** `<id>/OAuth`: the entry of `GET /v1/auths` and the secret's name in SpiffArena. */
  readonly auth: string;
  readonly authorizeUrl: URL;
  readonly tokenUrl: URL;
  readonly clientId: string;
  /** Undefined for a public client (PKCE alone). */
  readonly clientSecret: string | undefined;
  readonly scopes: readonly string[];
  /** Extra parameters of the authorize URL, e.g. Google's `access_type: offline`. */
  readonly authorizeParams: Readonly<Record<string, string>>;
  readonly tokenAuthMethod: TokenAuthMethod;
}

const ProviderEntry = Type.Object(
  {
    id: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$' }),
    authorize_url: Type.String(),
    token_url: Type.String(),
    client_id: Type.String({ minLength: 1 }),
    client_secret: Type.Optional(Type.String({ minLength: 1 })),
    client_secret_env: Type.Optional(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' })),
    scopes: Type.Array(Type.String({ minLength: 1, pattern: '^[^\\s]+$' })),
    authorize_params: Type.Optional(Type.Record(Type.String(), Type.String())),
    token_auth_method: Type.Optional(Type.Union([Type.Literal('client_secret_post'), Type.Literal('client_secret_basic')])),
  },
  { additionalProperties: false },
);
type ProviderEntry = Static<typeof ProviderEntry>;

const checkEntries = TypeCompiler.Compile(Type.Array(ProviderEntry));

/** Parameters the proxy sets itself in the authorize URL: a provider file must not choose them. */
const OWN_AUTHORIZE_PARAMS = new Set(['client_id', 'redirect_uri', 'response_type', 'scope', 'state', 'code_challenge', 'code_challenge_method']);

/** Reads the file `path` names; `env` gives the secrets that `client_secret_env` names. */
export function loadProviders(path: string, env: Environment): OAuthProvider[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw problem(`names ${path}, which cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let entries: unknown;
  try {
    entries = JSON.parse(text);
  } catch {
    throw problem(`names ${path}, which is not valid JSON`);
  }
  return parseProviders(entries, path, env);
}

/** The providers of an already parsed file. */
function parseProviders(entries: unknown, path: string, env: Environment): OAuthProvider[] {
  const first = checkEntries.Errors(entries).First();
  if (first !== undefined) {
    // The path is like /0/client_id; the value is never quoted (it may be a secret).
    throw problem(`names ${path}, whose entry ${first.path || '(top level)'} is wrong: ${first.message}; expected an array of {"id", "authorize_url", "token_url", "client_id", "client_secret" or "client_secret_env", "scopes"}`);
  }
  const seen = new Set<string>();
  return (entries as ProviderEntry[]).map((entry) => {
    if (seen.has(entry.id)) throw problem(`names ${path}, which has two providers with id ${JSON.stringify(entry.id)}`);
    seen.add(entry.id);
    return provider(entry, path, env);
  });
}

function provider(entry: ProviderEntry, path: string, env: Environment): OAuthProvider {
  const where = `names ${path}, whose provider ${JSON.stringify(entry.id)}`;
  const own = Object.keys(entry.authorize_params ?? {}).find((name) => OWN_AUTHORIZE_PARAMS.has(name));
  if (own !== undefined) throw problem(`${where} sets ${own} in authorize_params; the proxy sets it itself`);
  return {
    id: entry.id,
    auth: `${entry.id}${AUTH_SUFFIX}`,
    authorizeUrl: endpoint(entry.authorize_url, `${where} has an authorize_url`),
    tokenUrl: endpoint(entry.token_url, `${where} has a token_url`),
    clientId: entry.client_id,
    clientSecret: clientSecret(entry, where, env),
    scopes: entry.scopes,
    authorizeParams: entry.authorize_params ?? {},
    tokenAuthMethod: entry.token_auth_method ?? 'client_secret_post',
  };
}

function clientSecret(entry: ProviderEntry, where: string, env: Environment): string | undefined {
  if (entry.client_secret !== undefined && entry.client_secret_env !== undefined) {
    throw problem(`${where} has both client_secret and client_secret_env; keep one`);
  }
  if (entry.client_secret_env === undefined) return entry.client_secret;
  const value = env[entry.client_secret_env];
  if (value === undefined || value === '') throw problem(`${where} takes its secret from ${entry.client_secret_env}, which is not set`);
  return value;
}

/** https, or http to this machine only (a local authorization server): codes and secrets cross it. */
function endpoint(text: string, what: string): URL {
  const url = URL.canParse(text) ? new URL(text) : undefined;
  if (url === undefined || (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url.hostname)))) {
    throw problem(`${what} that is not an https: URL (http: only to localhost)`);
  }
  if (url.hash !== '' || url.username !== '' || url.password !== '') throw problem(`${what} with a fragment or credentials`);
  return url;
}

function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[(.*)\]$/, '$1');
  if (host === 'localhost' || host === '::1') return true;
  return isIP(host) === 4 && host.startsWith('127.');
}

function problem(message: string): CommandError {
  return configurationError(VARIABLE, message);
}
