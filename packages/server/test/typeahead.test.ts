/**
 * `GET /v1/typeahead/{category}` against a real proxy on 127.0.0.1 serving real files from a
 * temporary folder (CONNECTOR_PROXY_TYPEAHEAD_DIR), as SpiffArena's backend calls it.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { createProxy, startProxy, type RunningProxy } from '@connector-proxy/server';
import { exitOf, runCli } from './fixtures/cli-process.js';
import { call } from './fixtures/proxy-client.js';
import { rawRequest } from './fixtures/raw-client.js';

const SEED = Number(process.env.TYPEAHEAD_SEED ?? 20_261_207);
const KEY = 'typeahead test key';

const folders: string[] = [];
after(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

/** A fresh folder with `files` in it: a string is written as it is, anything else as JSON. */
function dataFolder(files: Record<string, unknown>): string {
  const folder = mkdtempSync(path.join(tmpdir(), 'typeahead-test-'));
  folders.push(folder);
  for (const [name, content] of Object.entries(files)) {
    writeFileSync(path.join(folder, name), typeof content === 'string' ? content : JSON.stringify(content));
  }
  return folder;
}

function serve(folder: string | undefined, env: Record<string, string> = {}): Promise<RunningProxy> {
  return startProxy({
    connectors: [],
    env: { CONNECTOR_PROXY_LOG_LEVEL: 'silent', ...(folder === undefined ? {} : { CONNECTOR_PROXY_TYPEAHEAD_DIR: folder }), ...env },
  });
}

/** The backend's call; the query as given (a string is sent as it is). */
async function lookup(proxy: RunningProxy, category: string, query: Record<string, string> | string = {}) {
  const search = typeof query === 'string' ? query : new URLSearchParams(query).toString();
  const answer = await call(proxy.url, `/v1/typeahead/${category}${search === '' ? '' : `?${search}`}`);
  return { status: answer.status, headers: answer.headers, json: answer.json as unknown };
}

function item(term: string, result: unknown = { name: term }) {
  return { search_term: term, result };
}

const names = (results: unknown): string[] => (results as Array<{ name: string }>).map((result) => result.name);

describe('typeahead look-ups', () => {
  let proxy: RunningProxy;
  before(async () => {
    const cities = ['Oslo', 'osaka', 'Berlin', 'Bergen', 'bern', 'Zürich', 'ZURICH', 'Ōsaka'].map((term) => item(term));
    const many = Array.from({ length: 1200 }, (_unused, index) => item(`item ${String(index).padStart(4, '0')}`));
    const unicode = [
      item('Straße'),
      item('STRASSE BAHNHOF'),
      item('ΟΔΟΣ ΕΡΜΟΥ'), // final capital sigma inside the search term
      item('Ashka\u0304sham'), // ā written decomposed: a and a combining macron
      item('ﬁle'), // one character, the fi ligature
    ];
    const exact = [
      { search_term: 'Dup', result: { name: 'first in file', nested: { list: [1, 2.5, 'três', null, true] } } },
      { search_term: 'dup', result: { name: 'lower case' } },
      { search_term: 'Dup', result: { name: 'second in file' } },
      { search_term: 'strings', result: 'a result need not be an object' },
    ];
    proxy = await serve(dataFolder({ 'cities.json': cities, 'many.json': many, 'unicode.json': unicode, 'exact.json': exact, 'empty.json': [] }));
  });
  after(() => proxy.close());

  test('answers the results whose search term starts with the prefix, as a JSON array', async () => {
    const { status, headers, json } = await lookup(proxy, 'cities', { prefix: 'Ber' });
    assert.equal(status, 200);
    assert.match(headers.get('content-type') ?? '', /^application\/json/);
    assert.deepEqual(names(json), ['Bergen', 'Berlin', 'bern']);
    assert.deepEqual((await lookup(proxy, 'cities', { prefix: 'Berl' })).json, [{ name: 'Berlin' }]);
    assert.deepEqual((await lookup(proxy, 'cities', { prefix: 'Bergenx' })).json, []);
    assert.deepEqual((await lookup(proxy, 'cities', { prefix: 'erl' })).json, [], 'a prefix, not a substring');
  });

  test('case does not matter, in the data nor in the prefix', async () => {
    for (const prefix of ['os', 'OS', 'oS']) {
      assert.deepEqual(names((await lookup(proxy, 'cities', { prefix })).json), ['osaka', 'Oslo'], prefix);
    }
    assert.deepEqual(names((await lookup(proxy, 'cities', { prefix: 'zü' })).json), ['Zürich']);
    assert.deepEqual(names((await lookup(proxy, 'cities', { prefix: 'ZUR' })).json), ['ZURICH']);
    assert.deepEqual(names((await lookup(proxy, 'cities', { prefix: 'ōs' })).json), ['Ōsaka']);
  });

  test('beyond ASCII: ß and SS, final sigma, ligatures, composed and decomposed accents', async () => {
    assert.deepEqual(names((await lookup(proxy, 'unicode', { prefix: 'strass' })).json), ['Straße', 'STRASSE BAHNHOF']);
    assert.deepEqual(names((await lookup(proxy, 'unicode', { prefix: 'STRAẞ' })).json), ['Straße', 'STRASSE BAHNHOF']);
    // Lower-cased on its own, 'ΟΔΟΣ' ends in ς; inside the term it is σ.
    assert.deepEqual(names((await lookup(proxy, 'unicode', { prefix: 'ΟΔΟΣ' })).json), ['ΟΔΟΣ ΕΡΜΟΥ']);
    assert.deepEqual(names((await lookup(proxy, 'unicode', { prefix: 'οδος ερ' })).json), ['ΟΔΟΣ ΕΡΜΟΥ']);
    assert.deepEqual(names((await lookup(proxy, 'unicode', { prefix: 'ashk\u0101' })).json), ['Ashka\u0304sham'], 'composed prefix, decomposed term');
    assert.deepEqual(names((await lookup(proxy, 'unicode', { prefix: 'FIL' })).json), ['ﬁle']);
  });

  test('ordered by search term, case aside; equal terms keep their order in the file', async () => {
    const all = names((await lookup(proxy, 'cities')).json);
    assert.deepEqual(all, ['Bergen', 'Berlin', 'bern', 'osaka', 'Oslo', 'ZURICH', 'Zürich', 'Ōsaka']);
    const dups = names((await lookup(proxy, 'exact', { prefix: 'dup' })).json);
    // 'Dup' < 'dup' by code unit once their keys tie; the two 'Dup' stay in file order.
    assert.deepEqual(dups, ['first in file', 'second in file', 'lower case']);
  });

  test('results are answered exactly as written in the file', async () => {
    const { json } = await lookup(proxy, 'exact', { prefix: 'd', limit: '1' });
    assert.deepEqual(json, [{ name: 'first in file', nested: { list: [1, 2.5, 'três', null, true] } }]);
    assert.deepEqual((await lookup(proxy, 'exact', { prefix: 'str' })).json, ['a result need not be an object']);
  });

  test('an empty or absent prefix answers the first items', async () => {
    assert.deepEqual(names((await lookup(proxy, 'cities', { prefix: '', limit: '2' })).json), ['Bergen', 'Berlin']);
    assert.deepEqual(names((await lookup(proxy, 'cities', 'limit=2')).json), ['Bergen', 'Berlin']);
  });

  test('limit: 100 by default, as asked for up to 1000', async () => {
    const byDefault = names((await lookup(proxy, 'many', { prefix: 'item' })).json);
    assert.equal(byDefault.length, 100);
    assert.equal(byDefault[0], 'item 0000');
    assert.equal(byDefault[99], 'item 0099');
    assert.equal(names((await lookup(proxy, 'many', { prefix: 'item', limit: '1000' })).json).length, 1000);
    assert.deepEqual(names((await lookup(proxy, 'many', { prefix: 'ITEM 11', limit: '3' })).json), ['item 1100', 'item 1101', 'item 1102']);
    assert.equal(names((await lookup(proxy, 'many', { prefix: 'item 01', limit: '1000' })).json).length, 100, 'fewer matches than the limit');
  });

  test('a bad limit is a 400 invalid_typeahead_query naming it', async () => {
    for (const limit of ['0', '1001', '-1', '1.5', 'ten', '', '99999999999999999999']) {
      const { status, json } = await lookup(proxy, 'cities', { prefix: 'o', limit });
      assert.equal(status, 400, `limit=${limit}`);
      const error = (json as { error: { error_code: string; message: string } }).error;
      assert.equal(error.error_code, 'invalid_typeahead_query');
      assert.match(error.message, /limit must be a whole number from 1 to 1000/);
    }
    assert.equal((await lookup(proxy, 'cities', 'limit=5&limit=6')).status, 400);
    assert.equal((await lookup(proxy, 'cities', 'prefix=a&prefix=b')).status, 400);
  });

  test('a category whose file holds no items answers an empty array', async () => {
    const { status, json } = await lookup(proxy, 'empty', { prefix: 'a' });
    assert.equal(status, 200);
    assert.deepEqual(json, []);
  });

  test('an unknown category is a 404 typeahead_category_not_found', async () => {
    for (const category of ['nope', 'Cities', 'cities.json', '__proto__', 'constructor']) {
      const { status, json } = await lookup(proxy, category, { prefix: 'o' });
      assert.equal(status, 404, category);
      assert.equal((json as { error: { error_code: string } }).error.error_code, 'typeahead_category_not_found');
    }
  });

  test('any prefix answers what a plain filter and sort of the file would (property, seeded)', async () => {
    // Letters whose lower-casing is the whole story, so a plain toLowerCase is an independent reference.
    const letter = fc.constantFrom('a', 'A', 'b', 'B', 'é', 'É', 'ö', 'Ö', ' ', '-');
    const term = fc.string({ unit: letter, maxLength: 6 });
    const terms = fc.sample(fc.array(term, { minLength: 300, maxLength: 300 }), { seed: SEED, numRuns: 1 })[0]!;
    const local = await serve(dataFolder({ 'random.json': terms.map((text, index) => item(text, { index })) }));
    try {
      const expected = (prefix: string, limit: number): number[] =>
        terms
          .map((text, index) => ({ text, index, key: text.toLowerCase() }))
          .filter(({ key }) => key.startsWith(prefix.toLowerCase()))
          .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.text < b.text ? -1 : a.text > b.text ? 1 : a.index - b.index))
          .slice(0, limit)
          .map(({ index }) => index);
      await fc.assert(
        fc.asyncProperty(fc.string({ unit: letter, maxLength: 4 }), fc.integer({ min: 1, max: 40 }), async (prefix, limit) => {
          const { status, json } = await lookup(local, 'random', { prefix, limit: String(limit) });
          assert.equal(status, 200);
          assert.deepEqual((json as Array<{ index: number }>).map((result) => result.index), expected(prefix, limit));
        }),
        { seed: SEED, numRuns: 300 },
      );
    } finally {
      await local.close();
    }
  });
});

test('any items, however written, are answered exactly as parsed (property, seeded)', async () => {
  // Strings full of what the file is split by: quotes, backslashes, brackets, commas; any nesting.
  const tricky = fc.string({ unit: fc.constantFrom('"', '\\', '[', ']', '{', '}', ',', ' ', 'a', 'Z', 'é', '\u2028', '\n', '😀'), maxLength: 8 });
  const result = fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.dictionary(tricky, fc.oneof(tricky, fc.jsonValue({ maxDepth: 2 })), { maxKeys: 4 }));
  const items = fc.array(fc.record({ search_term: tricky, result }), { maxLength: 30 });
  const layout = fc.constantFrom<string | number | undefined>(undefined, 2, '\t');
  await fc.assert(
    fc.asyncProperty(items, layout, async (list, indent) => {
      const proxy = await serve(dataFolder({ 'c.json': JSON.stringify(list, null, indent) }));
      try {
        const { status, json } = await lookup(proxy, 'c', { limit: '1000' });
        assert.equal(status, 200);
        const results = json as unknown[];
        assert.equal(results.length, list.length);
        // Every item's result is in the answer as often as it is in the file (JSON-equal: -0 is written as 0).
        const written = (value: unknown): string => JSON.stringify(value);
        assert.deepEqual(results.map(written).sort(), list.map((entry) => written(entry.result)).sort());
      } finally {
        await proxy.close();
      }
    }),
    { seed: SEED, numRuns: 25 },
  );
});

describe('typeahead and the API key', () => {
  let proxy: RunningProxy;
  before(async () => {
    proxy = await serve(dataFolder({ 'cities.json': [item('Oslo')] }), { CONNECTOR_PROXY_API_KEY: KEY });
  });
  after(() => proxy.close());

  test('typeahead needs no key (SpiffArena sends none there) while /v1/commands still does', async () => {
    const { status, json } = await lookup(proxy, 'cities', { prefix: 'o' });
    assert.equal(status, 200);
    assert.deepEqual(json, [{ name: 'Oslo' }]);
    assert.equal((await lookup(proxy, 'nope')).status, 404);
    assert.equal((await call(proxy.url, '/v1/commands')).status, 401);
    assert.equal((await call(proxy.url, '/v1/commands', { headers: { 'Spiff-Connector-Proxy-Api-Key': KEY } })).status, 200);
  });

  test('paths that only start like typeahead reach nothing else without the key', async () => {
    for (const target of ['/v1/typeahead/../commands', '/v1/typeahead/%2E%2E/commands', '/v1/typeahead/..%2Fcommands', '/v1/typeahead/cities/../../commands']) {
      const answer = await rawRequest(proxy.url, { method: 'GET', path: target });
      assert.ok(answer.status === 404 || answer.status === 401, `${target}: ${answer.status}`);
      assert.doesNotMatch(answer.text, /"parameters"/, target);
    }
    const post = await rawRequest(proxy.url, { method: 'POST', path: '/v1/typeahead/cities', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(post.status, 404);
  });
});

describe('typeahead category names are never paths', () => {
  let proxy: RunningProxy;
  let folder: string;
  before(async () => {
    // secret.json lies beside the data folder, where ../ would lead.
    const parent = dataFolder({ 'secret.json': [item('secret', { name: 'SECRET-CONTENT' })] });
    folder = path.join(parent, 'data');
    mkdirSync(folder);
    writeFileSync(path.join(folder, 'cities.json'), JSON.stringify([item('Oslo')]));
    writeFileSync(path.join(folder, '.hidden.json'), JSON.stringify([item('hidden', { name: 'HIDDEN-CONTENT' })]));
    writeFileSync(path.join(folder, 'notes.txt'), 'not data');
    mkdirSync(path.join(folder, 'folder.json'));
    proxy = await serve(folder);
  });
  after(() => proxy.close());

  test('traversal attempts answer 404 and reveal no file', async () => {
    const targets = [
      '/v1/typeahead/../secret',
      '/v1/typeahead/..%2Fsecret',
      '/v1/typeahead/%2E%2E%2Fsecret',
      '/v1/typeahead/..%5Csecret',
      `/v1/typeahead/${encodeURIComponent(path.join(folder, '..', 'secret'))}`,
      '/v1/typeahead/.hidden',
      '/v1/typeahead/notes',
      '/v1/typeahead/folder',
      '/v1/typeahead/cities%00',
    ];
    for (const target of targets) {
      const answer = await rawRequest(proxy.url, { method: 'GET', path: `${target}?prefix=` });
      assert.equal(answer.status, 404, target);
      assert.doesNotMatch(answer.text, /SECRET-CONTENT|HIDDEN-CONTENT/, target);
    }
    assert.equal((await lookup(proxy, 'cities')).status, 200);
  });
});

describe('typeahead data that cannot be served stops the start', () => {
  /** createProxy's refusal: an invalid_configuration error whose message is matched against each of `patterns`. */
  async function refusal(folder: string, ...patterns: RegExp[]): Promise<void> {
    await assert.rejects(createProxy({ connectors: [], env: { CONNECTOR_PROXY_TYPEAHEAD_DIR: folder, CONNECTOR_PROXY_LOG_LEVEL: 'silent' } }), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'invalid_configuration');
      assert.match(error.message, /^CONNECTOR_PROXY_TYPEAHEAD_DIR /);
      for (const pattern of patterns) assert.match(error.message, pattern);
      return true;
    });
  }

  test('a file that is not JSON, naming the file', async () => {
    const folder = dataFolder({ 'good.json': [item('a')], 'broken.json': '[{"search_term": "a", "result": {}},' });
    await refusal(folder, new RegExp(`${escape(path.join(folder, 'broken.json'))}, which is not JSON`));
  });

  test('a file whose array is malformed between or inside items, naming the file and the item', async () => {
    const cases: Array<[string, RegExp]> = [
      ['[{"search_term": "a", "result": {}} {"search_term": "b", "result": {}}]', /which is not JSON \(after item 0 comes "\{.*" where , or \] belongs\)/],
      ['[{"search_term": "a", "result": {}}, {"search_term": "b", "result": {]}}]', /whose item 1 \(counting from 0\) is not JSON/],
      ['[{"search_term": "a", "result": {}},]', /whose item 1 \(counting from 0\) is not JSON/],
      ['[{"search_term": "a", "result": {}}] and more', /which is not JSON \(there is more after its closing \]\)/],
      // The escaped quote keeps the string open over "] }": the object is never closed.
      ['[{"search_term": "a \\" ] }", "result": {}', /which is not JSON \(it ends inside item 0\)/],
      ['[{"search_term": "unterminated', /which is not JSON \(it ends inside a string of item 0\)/],
    ];
    for (const [text, problem] of cases) {
      const folder = dataFolder({ 'items.json': text });
      await refusal(folder, new RegExp(escape(path.join(folder, 'items.json'))), problem);
    }
  });

  test('a file that is not an array', async () => {
    const folder = dataFolder({ 'object.json': { search_term: 'a', result: {} } });
    await refusal(folder, /object\.json, which is not a JSON array/);
  });

  test('an item without a string search_term, naming the file and the item', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ result: {} }, /has no "search_term" string/],
      [{ search_term: 42, result: {} }, /has no "search_term" string/],
      [{ search_term: null, result: {} }, /has no "search_term" string/],
      [{ search_term: 'c' }, /has no "result"/],
      ['just a string', /is not a \{"search_term"/],
      [null, /is not a \{"search_term"/],
    ];
    for (const [bad, problem] of cases) {
      const folder = dataFolder({ 'items.json': [item('a'), item('b'), bad, item('d')] });
      await refusal(folder, new RegExp(`${escape(path.join(folder, 'items.json'))}, whose item 2 \\(counting from 0\\)`), problem);
    }
  });

  test('a file name that is not a plain category name', async () => {
    await refusal(dataFolder({ 'two words.json': [item('a')] }), /two words\.json, whose name is not <category>\.json/);
  });

  test('a folder that does not exist', async () => {
    const missing = path.join(dataFolder({}), 'missing');
    await refusal(missing, new RegExp(`is ${escape(missing)}, which could not be read as a folder \\(ENOENT\\)`));
  });

  test('the command line exits 1 with that message', async () => {
    const folder = dataFolder({ 'items.json': [item('a'), { search_term: 1, result: {} }] });
    const run = runCli(['--port', '0', '--host', '127.0.0.1'], { CONNECTOR_PROXY_TYPEAHEAD_DIR: folder, CONNECTOR_PROXY_LOG_LEVEL: 'silent' });
    assert.equal(await exitOf(run, 30_000), 1);
    assert.match(run.output(), /^connector-proxy: CONNECTOR_PROXY_TYPEAHEAD_DIR holds .*items\.json, whose item 1 \(counting from 0\) has no "search_term" string\n$/);
  });
});

test('without CONNECTOR_PROXY_TYPEAHEAD_DIR every category is unknown', async () => {
  const proxy = await serve(undefined);
  try {
    const { status, json } = await lookup(proxy, 'cities', { prefix: 'o' });
    assert.equal(status, 404);
    assert.equal((json as { error: { error_code: string } }).error.error_code, 'typeahead_category_not_found');
  } finally {
    await proxy.close();
  }
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
