// SQL text and string transport between JS and DuckDB.

/** A DuckDB identifier, double-quoted so any name (spaces, quotes, keywords) is taken literally. */
export function quoteIdent(name: string): string {
  if (name.includes("\0")) throw new Error(`a DuckDB identifier cannot contain a NUL character: ${JSON.stringify(name)}`);
  return `"${name.replaceAll('"', '""')}"`;
}

/** A DuckDB string literal (standard SQL: only the single quote is special). */
export function quoteLiteral(text: string): string {
  if (text.includes("\0")) throw new Error(`a DuckDB string literal cannot contain a NUL character: ${JSON.stringify(text)}`);
  return `'${text.replaceAll("'", "''")}'`;
}

/** Any UTF-16 code unit from the first surrogate up: the only ones DuckDB's UTF-8 would mangle or misorder. */
const HIGH_UNITS = /[\uD800-\uFFFF]/;

/**
 * A string DuckDB stores exactly and orders as JS does. DuckDB keeps UTF-8 and compares bytes,
 * which loses lone surrogates and puts U+E000..U+FFFF after astral characters, while JS
 * compares UTF-16 code units. Each code unit from U+D800 up is moved to a code point whose
 * UTF-8 order matches code-unit order: D800..DFFF → E000..E7FF, E000..FFFF → 10000..11FFF.
 * Strings without such units (nearly all) pass through unchanged.
 */
export function toDuckString(s: string): string {
  if (!HIGH_UNITS.test(s)) return s;
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const u = s.charCodeAt(i);
    out += u < 0xd800 ? s[i] : u < 0xe000 ? String.fromCharCode(u + 0x800) : String.fromCodePoint(u - 0xe000 + 0x10000);
  }
  return out;
}

/** The JS string toDuckString was given. */
export function fromDuckString(s: string): string {
  if (!HIGH_UNITS.test(s)) return s;
  let out = "";
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    out += cp < 0xd800 ? ch : cp < 0x10000 ? String.fromCharCode(cp - 0x800) : String.fromCharCode(cp - 0x10000 + 0xe000);
  }
  return out;
}
