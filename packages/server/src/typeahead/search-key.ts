/**
 * The form in which search terms and prefixes are compared, so that a match is case-insensitive
 * for every script, not only ASCII. JavaScript has no Unicode case folding; this comes close to
 * it with the locale-independent case mappings: lower-cased, upper-cased and lower-cased again
 * (so `ß`, `ẞ` and `SS` all become `ss`, `ﬁ` becomes `fi`), final sigma `ς` as `σ` (lower-casing
 * picks one or the other by position, and a prefix ends where a word may not), between canonical
 * decomposition and composition (NFC), so that `é` typed as one character or as `e` plus an accent
 * are the same. Applied alike to every search term at load and to every prefix asked for.
 *
 * @example
 * searchKey('STRAẞE') === searchKey('strasse') // 'strasse'
 */
export function searchKey(text: string): string {
  // Most search terms are ASCII, for which all of the below is a plain lower-casing.
  if (ASCII.test(text)) return text.toLowerCase();
  return text.normalize('NFD').toLowerCase().toUpperCase().toLowerCase().replaceAll('ς', 'σ').normalize('NFC');
}

const ASCII = /^[\x00-\x7f]*$/;
