/**
 * The page a browser sees when a connection cannot be made: a person reads it, so it says what
 * happened and what to do, with the stable code for whoever they ask for help.
 */
import type { CommandError } from '@connector-proxy/sdk';

/** Nothing on the page loads or runs anything. */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

export function errorPage(error: CommandError): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Connection not made</title></head>
<body>
<h1>The connection was not made</h1>
<p id="message">${escapeHtml(error.message)}</p>
<p>Error code: <code id="error-code">${escapeHtml(error.code)}</code></p>
<p>You can close this page and start again from SpiffArena's Authentications page.</p>
</body></html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
