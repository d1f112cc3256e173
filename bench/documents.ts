/**
 * What the upstream serves, made here so that nginx (from files) and the Node upstream (from
 * memory) serve the same bytes and every run serves the same ones.
 */

/** The upstream's answers and the one request body, by what they are for. */
export interface Documents {
  /** A small JSON answer, about 320 bytes: the common case of a service task. */
  readonly small: string;
  /** A 100 KB JSON answer. */
  readonly large: string;
  /** The 10 KB JSON body POSTed to the echo endpoint (which answers with it). */
  readonly post: string;
  /** A plain-text answer. */
  readonly text: string;
}

export function makeDocuments(): Documents {
  return {
    small: jsonDocument(320),
    large: jsonDocument(100 * 1024),
    post: jsonDocument(10 * 1024),
    text: 'The quick brown fox jumps over the lazy dog. '.repeat(6).trim(),
  };
}

/** A list of orders as an API would return it, grown one order at a time to about `bytes`. */
function jsonDocument(bytes: number): string {
  const document = { page: 1, orders: [] as Array<Record<string, unknown>> };
  for (let id = 1; JSON.stringify(document).length < bytes; id += 1) {
    document.orders.push({ id, customer: `customer-${(id * 7919) % 1000}`, total: Math.round(id * 1234.5) / 100, paid: id % 3 !== 0 });
  }
  // The last order usually overshoots: drop it when that lands nearer the target.
  const over = JSON.stringify(document).length - bytes;
  const last = document.orders.pop();
  if (last !== undefined && bytes - JSON.stringify(document).length > over) document.orders.push(last);
  return JSON.stringify(document);
}
