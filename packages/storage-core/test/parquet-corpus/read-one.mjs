// Reads one Parquet file with our reader (the built package) in its own process, for files that
// may be malformed: prints {"rows"} or {"code", "message"}, and {"unhandled"} when a rejection
// escaped after the read settled. Exit 0 read, 1 refused with a StorageError, 2 anything else.
import { readFile } from 'node:fs/promises'

const { decodeParquet, isStorageError } = await import(new URL('../../dist/index.js', import.meta.url).href)

const unhandled = []
process.on('unhandledRejection', (reason) => unhandled.push(String(reason?.message ?? reason)))

const bytes = await readFile(process.argv[2])
const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)
let out
let status
try {
  out = { rows: (await decodeParquet(buffer)).length }
  status = 0
} catch (error) {
  out = { code: error?.code, message: String(error?.message ?? error) }
  status = isStorageError(error) ? 1 : 2
}
// Reads hyparquet left running settle within a few turns of the event loop.
await new Promise((resolve) => setTimeout(resolve, 100))
if (unhandled.length > 0) {
  out.unhandled = unhandled
  status = 2
}
process.stdout.write(JSON.stringify(out))
process.exitCode = status
