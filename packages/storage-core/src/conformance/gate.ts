import { it } from '@jest/globals'
import type { StoreCapabilities } from '../store/object-store.js'
import type { ConformanceContext } from './context.js'

/**
 * `it`, gated on a capability, as abstract-level's `db.supports` gates its tests: a backend never
 * fakes a feature, and never passes a test by lacking one.
 *
 * - The backend has the capability: `fn` runs.
 * - It lacks it and `otherwise` is given: `otherwise` runs, the assertion that must hold instead
 *   (the backend refuses, or what a caller falls back to works).
 * - It was declared `false` to `describeConformance` and there is no `otherwise`: the test is
 *   registered as skipped, so the report shows it.
 * - It turns out `false` only when the test runs, with no `otherwise`: the test fails and says to
 *   declare the capability, rather than passing having checked nothing.
 */
export function itWhen(
  ctx: ConformanceContext,
  capability: keyof StoreCapabilities,
): (name: string, fn: () => Promise<void>, otherwise?: () => Promise<void>) => void {
  return (name, fn, otherwise) => {
    if (ctx.declared[capability] === false) {
      if (otherwise) it(`${name} [no ${capability}: the opposite holds]`, otherwise)
      else it.skip(`${name} [${capability}]`, fn)
      return
    }
    it(`${name} [${capability}]`, async () => {
      if ((await ctx.capabilities())[capability]) return fn()
      if (otherwise) return otherwise()
      throw new Error(
        `${ctx.name} reports ${capability}: false, which was not declared to describeConformance; declare ` +
          `{ ${capability}: false } in its third argument so this test is reported as skipped`,
      )
    })
  }
}
