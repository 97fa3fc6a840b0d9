/**
 * Code-point order of two strings, which is UTF-8 byte order: the order S3 lists keys in, and
 * the order of Parquet and Delta statistics, DuckDB, pyarrow and polars. Compared without
 * encoding either string. JavaScript's `<` compares UTF-16 units, which puts an emoji (a
 * surrogate pair, U+D800-DFFF) before U+E000-FFFF; a surrogate stands for a code point above
 * U+FFFF, so it orders after every other unit.
 */
export function compareText(a: string, b: string): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i)
    const y = b.charCodeAt(i)
    if (x === y) continue
    const xs = x >= 0xd800 && x <= 0xdfff
    const ys = y >= 0xd800 && y <= 0xdfff
    if (xs !== ys) return xs ? 1 : -1
    return x < y ? -1 : 1
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0
}
