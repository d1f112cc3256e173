import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { checkJsonBytes, checkJsonText, jsonNestsTooDeep, MAX_JSON_NESTING, rawJson, rawJsonContent, type JsonTextVerdict } from '@connector-proxy/sdk';

/** The verdict `JSON.parse` and the (tested) nesting walk give: what checkJsonText must agree with. */
function oracle(text: string, maxNesting = MAX_JSON_NESTING): JsonTextVerdict {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    if (error instanceof SyntaxError) return 'invalid';
    throw error;
  }
  return jsonNestsTooDeep(value, text, maxNesting) ? 'too-deep' : 'valid';
}

function agreesWithJsonParse(text: string, maxNesting?: number): void {
  assert.equal(checkJsonText(text, maxNesting), oracle(text, maxNesting), JSON.stringify(text));
}

const RUNS = 3000;

/** One character that matters to JSON's grammar, or one that JSON text must not or may hold. */
const jsonishChar = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...'{}[]",:0123456789.eE+-tfnrul\\ \n\t/bu') },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 0x1f }).map((code) => String.fromCharCode(code)) },
  { weight: 1, arbitrary: fc.constantFrom('\u00a0', '\u2028', '\ufeff', '\v', '\f', '\u007f', 'A', 'F', 'x', 'é') },
  { weight: 1, arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code)) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
);

/** JSON tokens, valid and near misses: random sequences of them are structurally interesting. */
const jsonishToken = fc.constantFrom(
  '{', '}', '[', ']', ',', ':', ' ', '\n', '"a"', '""', '"\\u00e9"', '"\\"', '"\\x"', '"\\u12"',
  '0', '-0', '12', '1.5', '-0.5e3', '1E+2', '01', '1.', '.5', '1e', '-', 'true', 'false', 'null', 'tru', 'nul',
);

type Edit = { kind: 'insert' | 'delete' | 'replace'; at: number; char: string };
const edit: fc.Arbitrary<Edit> = fc.record({ kind: fc.constantFrom('insert', 'delete', 'replace'), at: fc.nat(), char: jsonishChar });

function applyEdits(text: string, edits: readonly Edit[]): string {
  return edits.reduce((current, { kind, at, char }) => {
    const position = at % (current.length + 1);
    const after = kind === 'insert' ? position : position + 1;
    return current.slice(0, position) + (kind === 'delete' ? '' : char) + current.slice(after);
  }, text);
}

const jsonText = fc.oneof(
  fc.json(),
  fc.jsonValue().map((value) => JSON.stringify(value, null, 2)),
  fc.jsonValue().map((value) => JSON.stringify(value, null, '\t')),
);

describe('checkJsonText against JSON.parse', () => {
  test('accepts whatever JSON.stringify writes, compact or pretty-printed', () => {
    fc.assert(
      fc.property(jsonText, (text) => {
        assert.equal(checkJsonText(text), 'valid', JSON.stringify(text));
      }),
      { numRuns: RUNS },
    );
  });

  test('rejects exactly what JSON.parse rejects after random edits of valid JSON', () => {
    fc.assert(
      fc.property(jsonText, fc.array(edit, { minLength: 1, maxLength: 3 }), (text, edits) => {
        agreesWithJsonParse(applyEdits(text, edits));
      }),
      { numRuns: RUNS },
    );
  });

  test('rejects exactly what JSON.parse rejects in random strings of JSON characters', () => {
    fc.assert(
      fc.property(fc.string({ unit: jsonishChar, maxLength: 24 }), (text) => agreesWithJsonParse(text)),
      { numRuns: RUNS },
    );
  });

  test('rejects exactly what JSON.parse rejects in random sequences of JSON tokens', () => {
    fc.assert(
      fc.property(fc.array(jsonishToken, { maxLength: 16 }), (tokens) => agreesWithJsonParse(tokens.join(''))),
      { numRuns: RUNS },
    );
  });

  test('tells too deep from invalid as JSON.parse and the nesting walk do, at any limit', () => {
    const nested = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, fc.constantFrom('1', '"s"', 'null'), tie('array'), tie('object')),
      array: fc.array(tie('value'), { maxLength: 3 }).map((items) => `[${items.join(',')}]`),
      object: fc.array(tie('value'), { maxLength: 3 }).map((items) => `{${items.map((item, n) => `"k${n}":${item}`).join(',')}}`),
    })).value as fc.Arbitrary<string>;
    fc.assert(
      fc.property(nested, fc.array(edit, { maxLength: 2 }), fc.integer({ min: 0, max: 4 }), (text, edits, limit) => {
        agreesWithJsonParse(applyEdits(text, edits), limit);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('checkJsonText edge cases', () => {
  const cases: ReadonlyArray<readonly [string, JsonTextVerdict]> = [
    ['', 'invalid'],
    [' ', 'invalid'],
    ['01', 'invalid'],
    ['-', 'invalid'],
    ['1.', 'invalid'],
    ['.5', 'invalid'],
    ['1e', 'invalid'],
    ['1e+', 'invalid'],
    ['-0', 'valid'],
    ['0.0e-0', 'valid'],
    ['-12.50E+03', 'valid'],
    ['"\\u12"', 'invalid'],
    ['"\\uZZZZ"', 'invalid'],
    ['"\\u00aF"', 'valid'],
    ['"\t"', 'invalid'],
    ['"\\x"', 'invalid'],
    ['"\\"\\\\\\/\\b\\f\\n\\r\\t"', 'valid'],
    ['"unterminated', 'invalid'],
    ['[1,]', 'invalid'],
    ['[,1]', 'invalid'],
    ['{"a":1,}', 'invalid'],
    ['{"a"}', 'invalid'],
    ['{"a" : 1 , "b":[ ]}', 'valid'],
    ['{1:2}', 'invalid'],
    ['{"a":1]', 'invalid'],
    ['tru', 'invalid'],
    ['nul', 'invalid'],
    ['truex', 'invalid'],
    ['true false', 'invalid'],
    ['[]]', 'invalid'],
    ['[[]', 'invalid'],
    ['"\\ud800"', 'valid'],
    ['"\ud800"', 'valid'],
    ['"\u2028"', 'valid'],
    ['\ufeff{}', 'invalid'],
    ['{}\ufeff', 'invalid'],
    ['\u00a0[]', 'invalid'],
    ['\v1', 'invalid'],
    [' \t\r\n"x" \t\r\n', 'valid'],
  ];
  for (const [text, verdict] of cases) {
    test(`${JSON.stringify(text)} is ${verdict}, as JSON.parse has it`, () => {
      assert.equal(checkJsonText(text), verdict);
      agreesWithJsonParse(text);
    });
  }

  test('allows MAX_JSON_NESTING levels of objects and arrays, and calls one more too deep', () => {
    const nested = (levels: number): string => '[{"a":'.repeat(levels / 2) + '0' + '}]'.repeat(levels / 2);
    assert.equal(MAX_JSON_NESTING, 512);
    assert.equal(checkJsonText(nested(512)), 'valid');
    assert.equal(checkJsonText(`[${nested(512)}]`), 'too-deep');
    agreesWithJsonParse(`[${nested(512)}]`);
  });

  test('survives 20000 levels: too deep when closed, invalid when not', () => {
    const open = '[{"a":'.repeat(10_000);
    const close = '}]'.repeat(10_000);
    assert.equal(checkJsonText(`${open}1${close}`), 'too-deep');
    assert.equal(checkJsonText(`${open}1${close.slice(1)}`), 'invalid');
    assert.equal(checkJsonText(`${open}1${close.slice(0, -1)}}`), 'invalid');
  });

  test('accepts a realistic 100 KB answer, and rejects it with one character broken', () => {
    const records = Array.from({ length: 400 }, (_, n) => ({
      id: n,
      uuid: `0000${n}-aaaa-bbbb-cccc-${String(n).padStart(12, '0')}`,
      name: `Record "${n}" \\ élan \u{1F600} \n line`,
      price: n * 1.25 - 100,
      ratio: n / 7,
      tiny: 1e-12 * n,
      active: n % 2 === 0,
      note: n % 3 === 0 ? null : 'tab\there',
      tags: ['alpha', 'beta', `t${n}`],
      owner: { login: `user${n}`, roles: [{ role: 'admin', since: '2024-01-01T00:00:00Z' }] },
    }));
    const text = JSON.stringify({ data: records, page: { next: null, total: 400 } }, null, 2);
    assert.ok(text.length > 100_000, `${text.length} characters`);
    assert.equal(checkJsonText(text), 'valid');
    assert.equal(checkJsonText(JSON.stringify(JSON.parse(text))), 'valid');
    const broken = text.replace('"active": false', '"active": fals');
    assert.notEqual(broken, text);
    assert.equal(checkJsonText(broken), 'invalid');
  });
});

describe('checkJsonBytes', () => {
  test('finds a quote, backslash or control character at any place in a long string (the scan reads 16 bytes at a time)', () => {
    for (let at = 0; at < 40; at++) {
      for (const special of ['"', '\\', '\\n', '\\u00e9', '\\x', '\u0001', '\u001f', '\\u12']) {
        const text = `["${'a'.repeat(at)}${special}${'b'.repeat(40 - at)}"]`;
        agreesWithJsonParse(text);
        agreesWithJsonParse(text.slice(0, -2));
      }
    }
  });

  test('gives the right verdicts after a text large enough to make the scanner grow its memory and start afresh', () => {
    const large = JSON.stringify(Array.from({ length: 120_000 }, (_, n) => ({ n, s: `item ${n}` })));
    assert.ok(large.length > 2_500_000, `${large.length} bytes`);
    assert.equal(checkJsonBytes(Buffer.from(large)), 'valid');
    assert.equal(checkJsonBytes(Buffer.from(`${large} x`)), 'invalid');
    assert.equal(checkJsonBytes(Buffer.from('{"a":[1,"b"]}')), 'valid');
    assert.equal(checkJsonBytes(Buffer.from('{"a":[1,"b\u0001"]}')), 'invalid');
  });

  test('reads only the view it is given, not the rest of the buffer under it', () => {
    const buffer = Buffer.from('xx{"a":[1,2]}yy');
    assert.equal(checkJsonBytes(buffer.subarray(2, 13)), 'valid');
    assert.equal(checkJsonBytes(buffer.subarray(2, 12)), 'invalid');
  });

  test('lets UTF-8 stand in a string, and nowhere else; bytes that are not UTF-8 are not JSON text', () => {
    assert.equal(checkJsonBytes(Buffer.from('{"é😀":"ü"}')), 'valid');
    assert.equal(checkJsonBytes(Buffer.from([0x22, 0xff, 0xfe, 0x22])), 'invalid', 'not UTF-8');
    assert.equal(checkJsonBytes(Buffer.from([0x22, 0xc3, 0x22])), 'invalid', 'a character cut short');
    assert.equal(checkJsonBytes(Buffer.from([0x5b, 0xc2, 0xa0, 0x5d])), 'invalid', 'U+00A0 is not JSON whitespace');
    assert.equal(checkJsonBytes(Buffer.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d])), 'invalid', 'a byte order mark is not JSON');
  });

  test('reads chunks as the one text they make, a character or a token split between two included', () => {
    const text = Buffer.from('{"name":"é😀","n":[12345,true]}');
    for (let cut = 0; cut <= text.length; cut++) {
      assert.equal(checkJsonBytes([text.subarray(0, cut), text.subarray(cut)]), 'valid', `cut at ${cut}`);
      assert.equal(checkJsonBytes([text.subarray(0, cut), Buffer.from([0x01]), text.subarray(cut)]), 'invalid', `a control character at ${cut}`);
    }
    assert.equal(checkJsonBytes([]), 'invalid', 'no bytes are no JSON');
  });
});

describe('rawJson', () => {
  test('JSON.stringify outside the envelope writes the value its text or bytes stand for', () => {
    assert.equal(JSON.stringify({ a: rawJson('[1, 2]') }), '{"a":[1,2]}');
    const bytes = Buffer.from('__{"b": "é"}').subarray(2);
    assert.equal(JSON.stringify({ a: rawJson(bytes) }), '{"a":{"b":"é"}}');
    assert.equal(rawJsonContent(rawJson(bytes)), bytes);
    assert.equal(JSON.stringify({ a: rawJson([Buffer.from('{"b": "'), Buffer.from('é"}')]) }), '{"a":{"b":"é"}}');
    assert.equal(rawJsonContent({ b: 1 }), undefined);
  });
});
