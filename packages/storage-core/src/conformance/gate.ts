import { it } from '@jest/globals'
import type { StoreCapabilities } from '../store/object-store.js'
import type { ConformanceContext } from './context.js'

/**
 * `it`, gated on a capability, as abstract-level's `db.supports` gates its tests: a backend never
 * fakes a feature. A capability declared `false` to `describeConformance` skips the test
 * outright; otherwise the test reads the backend's own capabilities and does nothing when the
 * capability is absent.
 */
export function itWhen(
  ctx: ConformanceContext,
  capability: keyof StoreCapabilities,
): (name: string, fn: () => Promise<void>) => void {
  return (name, fn) => {
    const title = `${name} [${capability}]`
    if (ctx.declared[capability] === false) {
      it.skip(title, fn)
      return
    }
    it(title, async () => {
      if (!(await ctx.capabilities())[capability]) return
      await fn()
    })
  }
}
