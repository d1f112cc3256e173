import type { OAuthTokenRefresh } from './oauth.js';

/** What a command returns; the proxy wraps it in a version-2 envelope. */
export interface CommandResult {
  /** Stored by the workflow in the task's result variable. A `rawJson(text or bytes)` is spliced in as it is. */
  body: unknown;
  /** Defaults to `application/json`. */
  mimetype?: string;
  /** The third party's status, when the command talked to one. */
  httpStatus?: number;
  /** Third-party headers the caller asked to see. */
  headers?: Record<string, string | string[]>;
  /** A token set the command refreshed: the engine stores it (docs/protocol.md, "OAuth token refresh written back"). */
  tokenRefresh?: OAuthTokenRefresh;
}

/** `error` of an envelope. */
export interface EnvelopeError {
  error_code: string;
  message: string;
}

/** `command_response` of an envelope, as it goes on the wire. */
export interface WireCommandResponse {
  body: unknown;
  mimetype: string;
  http_status?: number;
  headers: Record<string, string | string[]>;
}

/** The version-2 response envelope of `POST /v1/do/{connector}/{command}` and of async callbacks. */
export interface Envelope {
  command_response: WireCommandResponse;
  command_response_version: 2;
  error: EnvelopeError | null;
  spiff__logs: string[];
  /** With `refreshed_token_set`: the name of the secret the engine overwrites. */
  auth?: string;
  /** A refreshed OAuth token set; the wire form then also carries `api_response` (see the server's envelope.ts). */
  refreshed_token_set?: unknown;
}
