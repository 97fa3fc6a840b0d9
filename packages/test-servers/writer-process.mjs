// A writer in a child process, for the crash and concurrency tests of every adapter. It imports
// the adapter's BUILT package (`pnpm build` first), runs the writes it is given and reports each
// step on stdout, so that the parent knows exactly how far a write had got when it sent SIGKILL.
//
//   node writer-process.mjs '<json config>'
//
// config: { backend: { module, className, options }, entity, partition, ops: [{ op, mode, rows }],
//           stall?, waitForGo?, exitWhenDone? }
// `module` is the URL of the adapter's built entry; `new module[className](options)` is the storage.
//
// Lines printed (each written synchronously, so a line is out before the step it names begins):
//   ready                  the storage is open
//   begin <op>             write(op) is called (it loads the table's log, then plans)
//   put-data <op>          a data file put is about to start
//   put-data-temp <op>     (local) its temp file is on disk, about to be renamed into place
//   put-data-done <op>     the data file is in place
//   put-commit <op>        the version file put (`_delta_log/<version>.json`) is about to start
//   put-commit-temp <op>   (local) its temp file is on disk, about to be linked into place
//   put-commit-done <op>   the version is in place: the write is visible
//   put-checkpoint <op>    (every 10th version) a checkpoint or `_last_checkpoint` put is about to start
//   put-checkpoint-temp <op>, put-checkpoint-done <op>   as for data files
//   delete <op>            cleanup of superseded files is about to start
//   delete-partial <op>    half of them are gone
//   delete-done <op>       cleanup finished
//   done <op>              write(op) returned
//   idle                   every op ran; waiting to be killed (or for stdin to close)
//   error <json>           a write threw; exit code 1
//
// `stall: { op, event, ms }` makes the writer sleep (blocking its thread) right after printing that
// event, so the parent's SIGKILL lands exactly there. `waitForGo` holds the first write until a line
// arrives on stdin (to start many writers at once); `exitWhenDone` exits instead of idling.
import fs, { writeSync } from 'node:fs'
import { basename } from 'node:path'
import { syncBuiltinESMExports } from 'node:module'
import { createInterface } from 'node:readline'

const config = JSON.parse(process.argv[2])
const sleeper = new Int32Array(new SharedArrayBuffer(4))
let current = -1

function emit(line) {
  writeSync(1, `${line}\n`)
}

function step(event) {
  emit(`${event} ${current}`)
  const stall = config.stall
  if (stall && stall.op === current && stall.event === event) Atomics.wait(sleeper, 0, 0, stall.ms)
}

// A version file of the Delta log is the commit; the log's other files (a checkpoint every 10
// versions, `_last_checkpoint`) are written after it.
const kindOf = (key) => {
  if (!key.includes('/_delta_log/')) return 'data'
  return /\/_delta_log\/\d{20}\.json$/.test(key) ? 'commit' : 'checkpoint'
}

// The local adapter writes a hidden temp file, then renames (or, for a commit, hard-links) it into
// place, synchronously. Wrapping those two calls in the built-in module lets a kill land while the
// temp file exists.
for (const name of ['renameSync', 'linkSync']) {
  const original = fs[name]
  fs[name] = (from, to) => {
    if (basename(String(from)).startsWith('.')) step(`put-${kindOf(String(to))}-temp`)
    return original(from, to)
  }
}
syncBuiltinESMExports()

const adapter = await import(config.backend.module)
const storage = new adapter[config.backend.className](config.backend.options)
const store = storage.store
const put = store.put.bind(store)
store.put = async (key, bytes, options) => {
  const kind = kindOf(key)
  step(`put-${kind}`)
  await put(key, bytes, options)
  step(`put-${kind}-done`)
}
const remove = store.delete.bind(store)
store.delete = async (keys) => {
  step('delete')
  // Two halves, so that a kill can land with part of the cleanup done (as a crash mid-batch would).
  const half = Math.ceil(keys.length / 2)
  if (keys.length >= 2) {
    await remove(keys.slice(0, half))
    step('delete-partial')
    await remove(keys.slice(half))
  } else {
    await remove(keys)
  }
  step('delete-done')
}

// The parent holds our stdin: when it goes away, so do we (no orphan writers).
const input = createInterface({ input: process.stdin })
const go = new Promise((resolve) => input.once('line', resolve))
input.on('close', () => process.exit(2))

emit('ready')
if (config.waitForGo) await go
try {
  for (const op of config.ops) {
    current = op.op
    step('begin')
    await storage.write(config.entity, op.rows, config.partition, { overwrite: op.mode === 'overwrite' })
    step('done')
  }
} catch (error) {
  emit(`error ${JSON.stringify(String(error?.stack ?? error))}`)
  process.exit(1)
}
current = -1
emit('idle')
if (config.exitWhenDone) process.exit(0)
