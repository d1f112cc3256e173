/**
 * `npm run bench:json`: what checking a third party's JSON answer costs, by document shape:
 * `checkJsonBytes` (the proxy's check, WebAssembly over the bytes) beside `JSON.parse` of the
 * decoded text (what a proxy that parses answers pays before it even serializes them again).
 * Microseconds per 100 KB document, best of 5 runs of 2,000 checks each, same process.
 */
import { checkJsonBytes } from '@connector-proxy/sdk';
import { makeDocuments } from './documents.js';

const RUNS = 5;
const CHECKS = 2_000;

/** Records with long strings (descriptions, notes): most bytes are inside strings. */
function textHeavyDocument(bytes: number): string {
  const items: Array<{ id: number; description: string }> = [];
  const sentence = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. ';
  for (let id = 0; JSON.stringify(items).length < bytes; id += 1) items.push({ id, description: sentence.repeat(1 + (id % 3)) });
  return JSON.stringify(items);
}

function microseconds(check: () => unknown): number {
  let best = Infinity;
  for (let run = 0; run < RUNS; run += 1) {
    const started = process.hrtime.bigint();
    for (let n = 0; n < CHECKS; n += 1) check();
    best = Math.min(best, Number(process.hrtime.bigint() - started) / CHECKS / 1000);
  }
  return best;
}

const documents = [
  ['orders (the bench\'s 100 KB answer: short strings, numbers)', makeDocuments().large],
  ['text-heavy (long strings)', textHeavyDocument(100 * 1024)],
] as const;
for (const [name, text] of documents) {
  const bytes = Buffer.from(text);
  if (checkJsonBytes(bytes) !== 'valid') throw new Error(`${name}: the check refused a valid document`);
  const check = microseconds(() => checkJsonBytes(bytes));
  const parse = microseconds(() => JSON.parse(bytes.toString()));
  console.log(`${name}, ${Math.round(bytes.length / 1024)} KB: checkJsonBytes ${check.toFixed(0)} µs, JSON.parse(text) ${parse.toFixed(0)} µs (${(parse / check).toFixed(1)}x)`);
}
