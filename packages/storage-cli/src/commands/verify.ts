import { writeFile } from 'node:fs/promises'
import { formatGroup, verify } from '@cfb/storage-core'
import { type Command, Option } from 'commander'
import { closeBackend, openPair, SPEC_HELP } from '../backend-spec.js'
import { ExitCode, type Io, print } from '../io.js'
import { createProgress } from '../progress.js'
import { parseConcurrency, SIDE_ENV_HELP } from './migrate.js'

export function addVerifyCommand(program: Command, io: Io): void {
  program
    .command('verify')
    .description('compare two backends key by key; exit 0 only when nothing is missing or different')
    .requiredOption('--from <spec>', SPEC_HELP)
    .requiredOption('--to <spec>', SPEC_HELP)
    .option('--from-env <file>', SIDE_ENV_HELP.from)
    .option('--to-env <file>', SIDE_ENV_HELP.to)
    .option('--prefix <prefix...>', 'only keys under these prefixes')
    .option('--concurrency <n>', 'objects compared at once', '8')
    .addOption(new Option('--checksum <mode>', 'trust stored sha256 metadata, or download and hash').choices(['metadata', 'download']).default('metadata'))
    .option('--report <file>', 'write every difference: + only in source, - only in destination, * differs, ! error')
    .addHelpText(
      'after',
      '\nExamples:\n  cfb-storage verify --from local:/Volumes/cfb/data --to r2://cfb-data\n  cfb-storage verify --from local:./data --to s3://bucket/cfb --checksum download --report diff.txt',
    )
    .action(async (options: { from: string; to: string; fromEnv?: string; toEnv?: string; prefix?: string[]; concurrency: string; checksum: 'metadata' | 'download'; report?: string }) => {
      const concurrency = parseConcurrency(options.concurrency, 8)
      const json = Boolean(program.opts().json)
      const [from, to] = await openPair(options.from, options.to, io.env, { fromEnv: options.fromEnv, toEnv: options.toEnv, toUse: 'read' })
      const progress = createProgress('verify', io.stderr, json)
      try {
        const result = await verify(from.store, to.store, {
          prefixes: options.prefix,
          concurrency,
          checksum: options.checksum,
          onProgress: (p) => progress.update(p),
        })
        progress.stop()
        if (options.report) {
          const lines = result.differences.map((d) => `${d.mark} ${d.key}${d.error ? `\t${d.error}` : ''}\n`)
          await writeFile(options.report, lines.join(''))
        }
        if (json) print(io, JSON.stringify(result))
        else for (const group of result.groups) print(io, formatGroup(group))
        if (!result.ok) throw new ExitCode(1)
      } finally {
        progress.stop()
        closeBackend(from)
        closeBackend(to)
      }
    })
}
