/**
 * Reads a third party's body to its end, holding at most `maxBytes` (plus one chunk) in memory
 * whatever it sends, an endless body included. Past the limit `stop` is called before the
 * reading ends (abort the request there: that is how an HTTP client is told to close the
 * connection mid-body) and the answer is `undefined`.
 *
 * @example
 * const bytes = await readAtMost(response.body, settings.maxResponseBytes, () => controller.abort());
 * if (bytes === undefined) throw responseTooLarge(settings.maxResponseBytes);
 */
export async function readAtMost(body: AsyncIterable<Uint8Array>, maxBytes: number, stop: () => void): Promise<Buffer | undefined> {
  const chunks = await readChunksAtMost(body, maxBytes, stop);
  return chunks === undefined ? undefined : Buffer.concat(chunks);
}

/**
 * {@link readAtMost}, answering the chunks as they came rather than joined: for a body that goes
 * on as it is (see {@link checkJsonBytes} and {@link rawJson}), which need not be copied whole.
 *
 * @example
 * const chunks = await readChunksAtMost(response.body, settings.maxResponseBytes, () => controller.abort());
 * if (chunks !== undefined && checkJsonBytes(chunks) === 'valid') return { body: rawJson(chunks) };
 */
export async function readChunksAtMost(body: AsyncIterable<Uint8Array>, maxBytes: number, stop: () => void): Promise<Uint8Array[] | undefined> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of body) {
    total += chunk.length;
    if (total > maxBytes) {
      stop();
      return undefined;
    }
    chunks.push(chunk);
  }
  return chunks;
}
