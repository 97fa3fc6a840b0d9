/**
 * Orders strings by their UTF-8 bytes, which is code-point order: how S3 lists keys, and how
 * Parquet and Delta statistics compare text. JavaScript's `<` compares UTF-16 code units, which
 * puts U+E000-FFFF after the characters above U+FFFF.
 */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'))
}
