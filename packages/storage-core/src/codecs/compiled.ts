/**
 * Functions made from source (`new Function`), once per key: a cache that is cleared when full, so
 * ever-new column lists cannot grow it. Where code generation is disallowed
 * (`--disallow-code-generation-from-strings`) there are none, and callers take their general path.
 */
export class Compiled<T> {
  private readonly made = new Map<string, T | undefined>()

  constructor(private readonly limit: number) {}

  /** The function for `key`, made by `compile` the first time; undefined where code cannot be made. */
  get(key: string, compile: () => T): T | undefined {
    if (this.made.has(key)) return this.made.get(key)
    if (this.made.size >= this.limit) this.made.clear()
    let made: T | undefined
    try {
      made = compile()
    } catch (error) {
      if (!(error instanceof EvalError)) throw error
    }
    this.made.set(key, made)
    return made
  }
}
