import type { Env } from '@cfb/storage-core'

/** Where a command writes and what it reads from the world; tests and the bin pass their own. */
export interface Io {
  stdout: NodeJS.WriteStream
  stderr: NodeJS.WriteStream
  env: Env
}

export function print(io: Io, text: string): void {
  io.stdout.write(text.endsWith('\n') ? text : `${text}\n`)
}

/** Thrown by a command that finished its work but must exit non-zero (verify found differences). */
export class ExitCode extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`)
  }
}
