import type { Command } from 'commander'
import { closeBackend, openBackend, SPEC_HELP } from '../backend-spec.js'
import { emit, type Io } from '../io.js'
import { UsageError } from '../usage-error.js'

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }

/** `90s`, `30m`, `1h`, `7d` or `0` to milliseconds. */
export function parseAge(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim())
  if (!match || (match[2] === undefined && Number(match[1]) !== 0)) {
    throw new UsageError(`--older-than must be a duration such as 30m, 1h or 7d (or 0), got ${JSON.stringify(text)}`)
  }
  return Number(match[1]) * UNITS[match[2] ?? 'ms']!
}

export function addVacuumCommand(program: Command, io: Io): void {
  program
    .command('vacuum')
    .description('remove files no commit refers to any more (replaced data, crashed writes), older than --older-than')
    .argument('[entity]', 'only this entity (default: every entity)')
    .option('-b, --backend <spec>', SPEC_HELP, 'env')
    .option('--older-than <age>', 'only files older than this: 30m, 1h, 7d, or 0 for all (a write in progress is younger)', '1h')
    .addHelpText('after', '\nExamples:\n  cfb-storage vacuum plays --backend local:./data\n  cfb-storage vacuum --older-than 7d --backend r2://cfb-data --json')
    .action(async (entity: string | undefined, options: { backend: string; olderThan: string }) => {
      const olderThanMs = parseAge(options.olderThan)
      const backend = await openBackend(options.backend, io.env, 'read')
      try {
        const { deleted } = await backend.vacuum(entity, { olderThanMs })
        if (program.opts().json) await emit(io.stdout, `${JSON.stringify({ deleted })}\n`)
        else await emit(io.stdout, `removed ${deleted.length} files${deleted.length > 0 ? `:\n${deleted.map((k) => `  ${k}`).join('\n')}` : ''}\n`)
      } finally {
        closeBackend(backend)
      }
    })
}
