import { Compiled } from './compiled.js'

/**
 * Sets a row's property as its own, whatever the name: `row['__proto__'] = v` would replace the
 * row's prototype (or do nothing) instead, so a column of that name would vanish or, worse, make
 * its value the row's inherited properties.
 */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
  else target[key] = value
}

/**
 * Makes empty rows that hold `names`, in order, inside the object. A row built up from `{}` keeps
 * four properties there and the rest in a separate array, each float boxed apart, which makes every
 * later read of its values (a write of the rows, above all) slower. V8 sizes the objects of a
 * constructor by the properties it assigns, so each row comes from one that assigns `names` (as
 * JSON string literals: a name is never code), with plain objects' prototype.
 */
export function rowMaker(names: readonly string[]): () => Record<string, unknown> {
  // `this["__proto__"] = v` would set the prototype: such rows are built up from {} (by setOwn).
  if (names.includes('__proto__')) return () => ({})
  const Row = constructors.get(JSON.stringify(names), () => {
    // One constructor per column list, so rows of the same columns share one shape across files.
    const made = new Function(names.map((name) => `this[${JSON.stringify(name)}] = null`).join('\n')) as RowConstructor
    made.prototype = Object.prototype
    return made
  })
  // Where code cannot be made, rows are built up from {}.
  if (!Row) return () => ({})
  return () => new Row()
}

type RowConstructor = new () => Record<string, unknown>
const constructors = new Compiled<RowConstructor>(256)
