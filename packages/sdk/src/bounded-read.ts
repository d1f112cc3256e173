import type { ResponseBudget } from './command-context.js';
import { responseBudgetExceeded } from './errors.js';

/**
 * Reads a third party's body to its end, holding at most `maxBytes` (plus one chunk) in memory
 * whatever it sends, an endless body included. Past the limit `stop` is called before the
 * reading ends (abort the request there: that is how an HTTP client is told to close the
 * connection mid-body) and the answer is `undefined`. Each chunk is also taken from `budget`
 * (the call's `context.responseBudget`, shared by every call): when it cannot spare one, `stop`
 * is called and the reading fails with `ResponseBudgetExceeded`.
 *
 * @example
 * const bytes = await readAtMost(response.body, settings.maxResponseBytes, () => controller.abort(), context.responseBudget);
 * if (bytes === undefined) throw responseTooLarge(settings.maxResponseBytes);
 */
export async function readAtMost(body: ReadableBody, maxBytes: number, stop: () => void, budget?: ResponseBudget): Promise<Buffer | undefined> {
  const chunks = await readChunksAtMost(body, maxBytes, stop, budget);
  return chunks === undefined ? undefined : Buffer.concat(chunks);
}

/** A body being read: a Node.js `Readable`, which is what undici's (and Node's own) HTTP clients give. */
export type ReadableBody = Pick<NodeJS.ReadableStream, 'on' | 'removeListener'>;

/**
 * {@link readAtMost}, answering the chunks as they came rather than joined: for a body that goes
 * on as it is (see {@link checkJsonBytes} and {@link rawJson}), which need not be copied whole.
 *
 * @example
 * const chunks = await readChunksAtMost(response.body, settings.maxResponseBytes, () => controller.abort(), context.responseBudget);
 * if (chunks !== undefined && checkJsonBytes(chunks) === 'valid') return { body: rawJson(chunks) };
 */
export function readChunksAtMost(body: ReadableBody, maxBytes: number, stop: () => void, budget?: ResponseBudget): Promise<Uint8Array[] | undefined> {
  // Listeners rather than `for await`: an async iterator over a stream made as much garbage as
  // the rest of a call's reading did.
  return new Promise((resolve, reject) => {
    const chunks: Uint8Array[] = [];
    let total = 0;
    const halt = (answer: () => void): void => {
      body.removeListener('data', onData);
      answer();
      // Stopping may make the body fail (an abort): the answer is given already.
      stop();
    };
    const onData = (chunk: Uint8Array): void => {
      total += chunk.length;
      if (total > maxBytes) return halt(() => resolve(undefined));
      if (budget !== undefined && !budget.reserve(chunk.length)) return halt(() => reject(responseBudgetExceeded(budget.limitBytes)));
      chunks.push(chunk);
    };
    body.on('data', onData);
    body.on('end', () => resolve(chunks));
    body.on('error', reject);
  });
}
