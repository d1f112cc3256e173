import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDataUrl } from '@connector-proxy/sdk';

describe('parseDataUrl', () => {
  test('reads the media type, the percent-encoded name and the base64 data of a file widget data URL', () => {
    const parsed = parseDataUrl('data:application/pdf;name=Q3%20report%20(final).pdf;base64,JVBERi0xLjQ=');
    assert.deepEqual(parsed, {
      ok: true,
      file: { mediaType: 'application/pdf', fileName: 'Q3 report (final).pdf', bytes: Buffer.from('%PDF-1.4') },
    });
  });

  test('takes a data URL without a name or a media type (octet-stream), and base64 data wrapped over lines', () => {
    const parsed = parseDataUrl('DATA:;BASE64,aGVs\r\nbG8=');
    assert.deepEqual(parsed, { ok: true, file: { mediaType: 'application/octet-stream', fileName: undefined, bytes: Buffer.from('hello') } });
  });

  test('keeps a name with a stray "%" as written', () => {
    const parsed = parseDataUrl('data:text/plain;name=100%.txt;base64,');
    assert.equal(parsed.ok && parsed.file.fileName, '100%.txt');
  });

  test('keeps media type parameters other than the name', () => {
    const parsed = parseDataUrl('data:text/plain;charset=utf-8;name=a.txt;base64,aGk=');
    assert.equal(parsed.ok && parsed.file.mediaType, 'text/plain;charset=utf-8');
  });

  test('says what is wrong with text that is not a base64 data URL', () => {
    const problems = [
      ['https://example.org/file.pdf', /does not start with "data:"/],
      ['data:text/plain;name=a.txt;base64', /has no ","/],
      ['data:text/plain;name=a.txt,hello', /is not base64-encoded/],
      ['data:not a type;base64,aGk=', /invalid media type/],
      ['data:text/plain;base64,a$b=', /not valid base64/],
      ['data:text/plain;base64,aGVsb', /not valid base64/],
      ['data:text/plain;oops;base64,aGk=', /not name=value/],
    ] as const;
    for (const [text, expected] of problems) {
      const parsed = parseDataUrl(text);
      assert.equal(parsed.ok, false, text);
      assert.match(parsed.ok ? '' : parsed.problem, expected, text);
    }
  });
});
