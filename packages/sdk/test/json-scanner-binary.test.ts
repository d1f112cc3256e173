import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { BINARY_MODULE, jsonScannerBinaryModule } from '../scripts/compile-json-scanner.js';

test('the committed WebAssembly scanner is wasm/json-scanner.wat compiled (else run `npm run build:wasm`)', async () => {
  assert.equal(readFileSync(BINARY_MODULE, 'utf8'), await jsonScannerBinaryModule());
});
