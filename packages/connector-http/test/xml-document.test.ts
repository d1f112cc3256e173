import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseXml } from '@connector-proxy/connector-http';

describe('parseXml (xmltodict-shaped)', () => {
  test('attributes as @name, text beside them as #text, repeated elements as arrays, values as strings', () => {
    const xml = '<?xml version="1.0"?><order id="7"><item sku="a">2</item><item sku="b">3</item><note>ok</note><empty/></order>';
    assert.deepEqual(parseXml(xml), {
      order: { '@id': '7', item: [{ '@sku': 'a', '#text': '2' }, { '@sku': 'b', '#text': '3' }], note: 'ok', empty: '' },
    });
  });

  test('keeps namespace prefixes and CDATA text', () => {
    assert.deepEqual(parseXml('<s:Envelope xmlns:s="urn:x"><s:Body><![CDATA[a < b]]></s:Body></s:Envelope>'), {
      's:Envelope': { '@xmlns:s': 'urn:x', 's:Body': 'a < b' },
    });
  });

  test('gives undefined for text that is not well-formed XML', () => {
    assert.equal(parseXml('<a><b></a>'), undefined);
    assert.equal(parseXml('just text'), undefined);
  });

  test('does not expand entity bombs', () => {
    const bomb = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lollollollollollollollollollol">${Array.from(
      { length: 8 },
      (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`,
    ).join('')}]><lolz>&lol8;</lolz>`;
    // Fully expanded, &lol8; would be 3 GB of text.
    assert.ok(JSON.stringify(parseXml(bomb) ?? null).length < 10_000);
  });
});
