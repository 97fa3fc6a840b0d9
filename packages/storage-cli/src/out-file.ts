import { createWriteStream, rmSync } from 'node:fs'
import { rename, rm } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { randomUUID } from 'node:crypto'
import { onInterrupt } from './interrupt.js'
import { emit, watchOutput } from './io.js'
import type { ByteSink } from './row-output.js'

/** An output file filled under a temporary name beside it and renamed into place when complete. */
export interface OutFile extends ByteSink {
  /** Renames the finished file into place. */
  commit(): Promise<void>
  /** Removes the temporary file: a failed or interrupted command leaves nothing behind. */
  abort(): Promise<void>
}

/**
 * Opens `path` for writing. Readers of `path` see the old file or the whole new one, never a
 * half-written one, and a failure leaves no temporary file.
 */
export function openOutFile(path: string): OutFile {
  const temp = join(dirname(path), `.${basename(path)}.${randomUUID()}.tmp`)
  const stream = createWriteStream(temp, { flags: 'wx' })
  watchOutput(stream)
  const opened = new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve())
    stream.once('error', reject)
  })
  const forget = onInterrupt(() => rmSync(temp, { force: true }))
  return {
    async write(chunk) {
      await opened
      await emit(stream, chunk)
    },
    async commit() {
      await opened
      await new Promise<void>((resolve, reject) => {
        stream.once('error', reject)
        stream.end(() => resolve())
      })
      await rename(temp, path)
      forget()
    },
    async abort() {
      stream.destroy()
      await rm(temp, { force: true })
      forget()
    },
  }
}
