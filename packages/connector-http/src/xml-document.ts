/**
 * XML answers as objects, shaped like Python's xmltodict (what the reference connector-http
 * returns): attributes as `@name`, element text beside attributes as `#text`, repeated
 * elements as arrays, every value a string.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  textNodeName: '#text',
  parseTagValue: false,
  parseAttributeValue: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  // Entity expansion is where XML bombs live: keep it small for documents a third party sends.
  processEntities: { enabled: true, maxEntityCount: 100, maxTotalExpansions: 10_000, maxExpandedLength: 1_000_000 },
});

/**
 * The document as an object, or `undefined` when the text is not well-formed XML.
 *
 * @example
 * parseXml('<user id="7"><name>Ada</name></user>') // { user: { '@id': '7', name: 'Ada' } }
 */
export function parseXml(text: string): Record<string, unknown> | undefined {
  if (XMLValidator.validate(text) !== true) return undefined;
  try {
    return parser.parse(text) as Record<string, unknown>;
  } catch (error) {
    // The validator accepts some documents the parser then refuses (entity limits, nesting
    // depth): such an answer is kept as text, like any other XML that does not parse.
    if (error instanceof Error) return undefined;
    throw error;
  }
}
