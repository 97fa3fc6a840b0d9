import { CODECS } from './format.js'
import { Sink } from './sink.js'
import { snappyCompress } from './snappy.js'

/**
 * What one writer reuses from page to page and column to column (one is encoded at a time,
 * synchronously): a page is encoded into `levels` and `values`, then compressed or copied into the
 * file; typed arrays are reused rather than allocated per column chunk.
 */
export class WriterState {
  readonly levels = new Sink()
  readonly values = new Sink()
  bigints = new BigInt64Array(0)
  numbers = new Float64Array(0)
  booleans = new Uint8Array(0)

  /** Scratch arrays for at least `count` rows. */
  reserveRows(count: number): void {
    if (this.bigints.length >= count) return
    this.bigints = new BigInt64Array(count)
    this.numbers = new Float64Array(count)
    this.booleans = new Uint8Array(count)
  }

  compress(codec: number, raw: Uint8Array): Uint8Array {
    return codec === CODECS.SNAPPY ? snappyCompress(raw) : raw
  }
}
