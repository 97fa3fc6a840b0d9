import { createRequire } from 'node:module'
import type { TransferProgress } from '@cfb/storage-core'
import type { SingleBar } from 'cli-progress'

// cli-progress and its dependencies take about 30 ms to load: every command pays that only when
// it draws a bar on a terminal. (It is CommonJS, so a require keeps `createProgress` synchronous.)
const loadBar = (): typeof SingleBar => (createRequire(import.meta.url)('cli-progress') as typeof import('cli-progress')).SingleBar

/** A transfer's progress, or any other count of things done (the demo counts partitions). */
export type Progress = Omit<TransferProgress, 'phase'> & { phase: string }

export interface ProgressSink {
  update(progress: Progress): void
  stop(): void
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB']
  let value = bytes
  let unit = 0
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000
    unit++
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`
}

/**
 * Progress for a long operation, on stderr so stdout stays parseable: a bar with counts, bytes,
 * rate and ETA on a terminal; otherwise a plain line per phase and at most one every 2 seconds.
 */
export function createProgress(
  label: string,
  stream: NodeJS.WriteStream = process.stderr,
  quiet = false,
  unit = 'files',
): ProgressSink {
  if (quiet) return { update() {}, stop() {} }
  const started = Date.now()
  if (stream.isTTY) {
    // The bar counts bytes when the phase knows its byte total (copying), so the ETA follows the
    // bytes left rather than the files left: one large file takes longer than many small ones.
    const Bar = loadBar()
    const bar = new Bar({
      stream,
      format: `${label} {phase} [{bar}] {count}{size} | {rate} | ETA {eta_formatted}`,
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 200,
    })
    let phase = ''
    let active = false
    return {
      update(p) {
        const seconds = Math.max((Date.now() - started) / 1000, 0.001)
        const byBytes = p.totalBytes > 0
        const payload = {
          phase: p.phase.padEnd(9),
          count: `${p.done}/${p.total} ${unit}`,
          size: byBytes ? ` | ${formatBytes(p.bytes)} of ${formatBytes(p.totalBytes)}` : p.bytes > 0 ? ` | ${formatBytes(p.bytes)}` : '',
          rate: byBytes ? `${formatBytes(p.bytes / seconds)}/s` : `${(p.done / seconds).toFixed(0)} ${unit}/s`,
        }
        const [value, total] = byBytes ? [p.bytes, p.totalBytes] : [p.done, Math.max(p.total, 0)]
        if (p.phase !== phase) {
          if (active) bar.stop()
          phase = p.phase
          active = true
          bar.start(total, value, payload)
        } else {
          bar.setTotal(total)
          bar.update(value, payload)
        }
      },
      stop() {
        // Stopping the bar shows the cursor again; safe to call more than once.
        if (active) bar.stop()
        active = false
      },
    }
  }
  let phase = ''
  let last = 0
  return {
    update(p) {
      const now = Date.now()
      const finished = p.total > 0 && p.done === p.total
      if (p.phase === phase && now - last < 2000 && !finished) return
      if (p.phase === phase && finished && last === -1) return
      phase = p.phase
      last = finished ? -1 : now
      const seconds = (now - started) / 1000
      stream.write(`${label}: ${p.phase} ${p.done}/${p.total} ${unit}${p.totalBytes > 0 || p.bytes > 0 ? `, ${formatBytes(p.bytes)}` : ''}, ${seconds.toFixed(1)}s\n`)
    },
    stop() {},
  }
}

/** Steps of a command with no counts to show (`write`): on a terminal, one line that says what is happening now. */
export interface StepReporter {
  step(text: string): void
  done(): void
}

export function stepReporter(label: string, stream: NodeJS.WriteStream, quiet: boolean): StepReporter {
  if (quiet || !stream.isTTY) return { step() {}, done() {} }
  const started = Date.now()
  let shown = false
  return {
    step(text) {
      stream.write(`\r\u001b[2K${label}: ${text} (${((Date.now() - started) / 1000).toFixed(1)}s)`)
      shown = true
    },
    done() {
      if (shown) stream.write('\r\u001b[2K')
      shown = false
    },
  }
}
