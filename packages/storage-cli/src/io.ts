import { createWriteStream, fstatSync } from 'node:fs'
import type { Writable } from 'node:stream'
import type { Env } from '@cfb/storage-core'

/** Where a command writes and what it reads from the world; tests and the bin pass their own. */
export interface Io {
  stdout: NodeJS.WriteStream
  stderr: NodeJS.WriteStream
  env: Env
}

/** stdout went away (`| head`) or failed; the command stops where it is. */
export class OutputClosed extends Error {
  constructor(readonly reason: NodeJS.ErrnoException) {
    super(`cannot write to stdout: ${reason.code ?? reason.message}`)
  }

  /** A reader that stopped reading (EPIPE) is a normal end, not a failure. */
  get quiet(): boolean {
    return this.reason.code === 'EPIPE' || this.reason.code === 'ERR_STREAM_DESTROYED'
  }
}

const failures = new WeakMap<NodeJS.WritableStream, NodeJS.ErrnoException>()
const watched = new WeakSet<NodeJS.WritableStream>()

/**
 * Records write errors on a stream instead of letting them crash the process: a closed pipe is
 * reported asynchronously as an 'error' event, which unhandled would print a stack trace.
 */
export function watchOutput(stream: NodeJS.WritableStream): void {
  if (watched.has(stream)) return
  watched.add(stream)
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (!failures.has(stream)) failures.set(stream, error)
  })
}

/** Whether a write to the stream has failed (the reader closed the pipe, the disk is full). */
export function outputFailure(stream: NodeJS.WritableStream): NodeJS.ErrnoException | undefined {
  // `errored` is set as the write fails; the 'error' event only follows on a later tick.
  return failures.get(stream) ?? ((stream as Writable).errored as NodeJS.ErrnoException | null) ?? undefined
}

function check(stream: NodeJS.WritableStream): void {
  const failure = outputFailure(stream)
  if (failure) throw new OutputClosed(failure)
}

export function print(io: Io, text: string): void {
  check(io.stdout)
  io.stdout.write(text.endsWith('\n') ? text : `${text}\n`)
}

/** Writes a chunk and waits while the stream's buffer is full, so a fast producer holds no backlog. */
export async function emit(stream: NodeJS.WritableStream, chunk: string | Uint8Array): Promise<void> {
  check(stream)
  if (!stream.write(chunk)) {
    await new Promise<void>((resolve) => {
      const done = () => {
        stream.off('drain', done)
        stream.off('error', done)
        stream.off('close', done)
        resolve()
      }
      stream.on('drain', done)
      stream.on('error', done)
      stream.on('close', done)
    })
  }
  check(stream)
}

/** Thrown by a command that finished its work but must exit non-zero (verify found differences). */
export class ExitCode extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`)
  }
}

/** Bytes a stdout file holds in memory while earlier ones are written: a few chunks of output. */
const STDOUT_FILE_BUFFER = 4 * 1024 * 1024

/**
 * stdout redirected to a regular file (`> plays.csv`), written from libuv's thread pool: Node
 * writes a file behind process.stdout synchronously, so making output and writing it would take
 * turns on one thread. Undefined when stdout is anything else (a pipe, a terminal, a test's
 * stream). `end` resolves when every byte is written.
 */
export function stdoutFile(stream: NodeJS.WritableStream): { write(chunk: string | Uint8Array): Promise<void>; end(): Promise<void> } | undefined {
  const fd = (stream as { fd?: unknown }).fd
  if (typeof fd !== 'number') return undefined
  try {
    if (!fstatSync(fd).isFile()) return undefined
  } catch {
    return undefined
  }
  const file = createWriteStream('', { fd, autoClose: false, highWaterMark: STDOUT_FILE_BUFFER })
  watchOutput(file)
  return {
    write: (chunk) => emit(file, chunk),
    end: () =>
      new Promise<void>((resolve, reject) => {
        file.once('error', reject)
        file.end(() => resolve())
      }).then(() => check(file)),
  }
}
