import { migrate } from '@cfb/storage-core'
import { type Command, Option } from 'commander'
import { closeBackend, openPair, SPEC_HELP } from '../backend-spec.js'
import { type Io, print } from '../io.js'
import { createProgress, formatBytes } from '../progress.js'
import { UsageError } from '../usage-error.js'

export function parseConcurrency(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback
  const n = Number(text)
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new UsageError(`--concurrency must be a whole number from 1 to 256, got ${JSON.stringify(text)}`)
  return n
}

export function addMigrateCommand(program: Command, io: Io): void {
  program
    .command('migrate')
    .description('copy what is missing or different from one backend to another; resumable')
    .requiredOption('--from <spec>', SPEC_HELP)
    .requiredOption('--to <spec>', SPEC_HELP)
    .option('--prefix <prefix...>', 'only keys under these prefixes')
    .option('--concurrency <n>', 'objects in flight at once', '8')
    .option('--dry-run', 'report what would be copied and deleted; write nothing')
    .option('--delete-extra', 'delete destination objects the source does not have')
    .addOption(new Option('--checksum <mode>', 'compare same-size objects by stored sha256 or by downloading').choices(['metadata', 'download']).default('metadata'))
    .addHelpText(
      'after',
      '\nExamples:\n  cfb-storage migrate --from local:/Volumes/cfb/data --to r2://cfb-data --concurrency 16\n  cfb-storage migrate --from local:./data --to s3://bucket/cfb --prefix raw/ --dry-run',
    )
    .action(async (options: { from: string; to: string; prefix?: string[]; concurrency: string; dryRun?: boolean; deleteExtra?: boolean; checksum: 'metadata' | 'download' }) => {
      const concurrency = parseConcurrency(options.concurrency, 8)
      const json = Boolean(program.opts().json)
      const [from, to] = await openPair(options.from, options.to, io.env)
      const progress = createProgress('migrate', io.stderr, json)
      const started = performance.now()
      // The plan's byte total arrives with the last progress report; a dry run prints it.
      let bytesToCopy = 0
      try {
        const result = await migrate(from.store, to.store, {
          prefixes: options.prefix,
          concurrency,
          dryRun: options.dryRun,
          deleteExtra: options.deleteExtra,
          checksum: options.checksum,
          onProgress: (p) => {
            bytesToCopy = p.totalBytes
            progress.update(p)
          },
        })
        progress.stop()
        const seconds = (performance.now() - started) / 1000
        if (json) {
          print(io, JSON.stringify({ ...result, copied: result.copied.length, deleted: result.deleted.length, bytesToCopy, seconds }))
        } else {
          const verb = result.dryRun ? 'would copy' : 'copied'
          print(
            io,
            `${verb} ${result.copied.length} files (${formatBytes(result.dryRun ? bytesToCopy : result.bytesCopied)}), skipped ${result.skipped} identical, ${result.dryRun ? 'would delete' : 'deleted'} ${result.deleted.length} in ${seconds.toFixed(1)}s`,
          )
        }
      } finally {
        progress.stop()
        closeBackend(from)
        closeBackend(to)
      }
    })
}
