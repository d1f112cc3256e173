/**
 * The four scenarios: each is one call shape through the proxy and the same upstream request
 * straight through nginx's `proxy_pass`.
 */
import type { Documents } from './documents.js';

export type ScenarioKey = 'small' | 'large' | 'post' | 'text';

export const SCENARIO_KEYS: readonly ScenarioKey[] = ['small', 'large', 'post', 'text'];

/** A request as a load generator sends it. */
export interface LoadTarget {
  readonly path: string;
  readonly method: 'GET' | 'POST';
  /** JSON body, sent with `content-type: application/json`. */
  readonly body: string | undefined;
}

export interface Scenario {
  readonly key: ScenarioKey;
  readonly title: string;
  /** The upstream request, as nginx `proxy_pass` receives it. */
  readonly direct: LoadTarget;
  /** The same request as a proxy call: `POST /v1/do/http/...` with the URL in the body. */
  readonly proxied: LoadTarget;
  /** What the upstream answers (the direct body). */
  readonly upstreamAnswer: string;
  /** What the proxy's envelope must carry as `command_response.body`. */
  readonly envelopeBody: unknown;
}

/** The scenarios, for an upstream at `upstreamUrl` (what the proxy is told to call). */
export function makeScenarios(documents: Documents, upstreamUrl: string): Scenario[] {
  const get = (key: ScenarioKey, title: string, path: string, answer: string, envelopeBody: unknown): Scenario => ({
    key,
    title,
    direct: { path, method: 'GET', body: undefined },
    proxied: { path: '/v1/do/http/GetRequest', method: 'POST', body: JSON.stringify({ url: `${upstreamUrl}${path}` }) },
    upstreamAnswer: answer,
    envelopeBody,
  });
  return [
    get('small', `small JSON GET (${kilobytes(documents.small)})`, '/small.json', documents.small, JSON.parse(documents.small)),
    get('large', `large JSON GET (${kilobytes(documents.large)})`, '/large.json', documents.large, JSON.parse(documents.large)),
    {
      key: 'post',
      title: `JSON POST, echoed (${kilobytes(documents.post)})`,
      direct: { path: '/echo', method: 'POST', body: documents.post },
      proxied: {
        path: '/v1/do/http/PostRequest',
        method: 'POST',
        body: JSON.stringify({ url: `${upstreamUrl}/echo`, data: JSON.parse(documents.post) }),
      },
      upstreamAnswer: documents.post,
      envelopeBody: JSON.parse(documents.post),
    },
    get('text', `text GET (${kilobytes(documents.text)})`, '/text.txt', documents.text, { raw_response: documents.text }),
  ];
}

function kilobytes(text: string): string {
  const bytes = Buffer.byteLength(text);
  return bytes < 1024 ? `${bytes} B` : `${Math.round(bytes / 1024)} KB`;
}
