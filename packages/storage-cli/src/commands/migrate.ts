import { listObjects, migrate, type ObjectStorage, StorageError, type TransferProgress } from '@cfb/storage-core'
import { type Command, Option } from 'commander'
import { closeBackend, openPair, SPEC_HELP } from '../backend-spec.js'
import { onInterrupt } from '../interrupt.js'
import { drainingStore } from '../draining-store.js'
import { type Io, print } from '../io.js'
import { createProgress, formatBytes } from '../progress.js'
import { UsageError } from '../usage-error.js'

export function parseConcurrency(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback
  const n = Number(text)
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new UsageError(`--concurrency must be a whole number from 1 to 256, got ${JSON.stringify(text)}`)
  return n
}

/** Help for the per-side settings files `migrate` and `verify` take. */
export const SIDE_ENV_HELP = {
  from: 'KEY=VALUE settings for the source only (its own CFB_S3_ENDPOINT, AWS_ACCESS_KEY_ID, ...), over the environment',
  to: 'KEY=VALUE settings for the destination only, over the environment',
}

/**
 * R2 stores keys in Unicode NFC form, so a key in another form would merge with its NFC twin; the
 * R2 adapter refuses each such key as it is written. Checking every source key first means a
 * migrate either copies everything or nothing.
 */
async function checkKeysForR2(from: ObjectStorage, prefixes: readonly string[] | undefined): Promise<void> {
  const keys = [...(await listObjects(from.store, prefixes ?? [])).keys()].filter((key) => key.normalize('NFC') !== key)
  if (keys.length === 0) return
  const shown = keys.slice(0, 5).map((k) => JSON.stringify(k)).join(', ')
  throw new StorageError(
    'INVALID_ARGUMENT',
    `R2 keeps keys in Unicode NFC form, and ${keys.length} source key${keys.length === 1 ? ' is' : 's are'} not: ${shown}${keys.length > 5 ? ', ...' : ''}. Nothing was copied. Rename ${keys.length === 1 ? 'that file' : 'those files'} to the NFC form of ${keys.length === 1 ? 'its' : 'their'} name (macOS and some archives write accents decomposed; e.g. convmv -f utf8 -t utf8 --nfc -r --notest <dir>), then run migrate again`,
  )
}

/**
 * Runs the migrate; once Ctrl-C was pressed its refused writes make it fail, and that failure is
 * not reported: the interrupt handler says what happened and ends the process.
 */
async function runMigrate<T>(run: () => Promise<T>, interrupted: () => boolean): Promise<T> {
  try {
    return await run()
  } catch (error) {
    if (interrupted()) await new Promise<never>(() => {})
    throw error
  }
}

interface MigrateFlags {
  from: string
  to: string
  fromEnv?: string
  toEnv?: string
  prefix?: string[]
  concurrency: string
  dryRun?: boolean
  deleteExtra?: boolean
  checksum: 'metadata' | 'download'
}

export function addMigrateCommand(program: Command, io: Io): void {
  program
    .command('migrate')
    .description('copy what is missing or different from one backend to another; resumable')
    .requiredOption('--from <spec>', SPEC_HELP)
    .requiredOption('--to <spec>', SPEC_HELP)
    .option('--from-env <file>', SIDE_ENV_HELP.from)
    .option('--to-env <file>', SIDE_ENV_HELP.to)
    .option('--prefix <prefix...>', 'only keys under these prefixes')
    .option('--concurrency <n>', 'objects in flight at once', '8')
    .option('--dry-run', 'report what would be copied and deleted; write nothing')
    .option('--delete-extra', 'delete destination objects the source does not have')
    .addOption(new Option('--checksum <mode>', 'compare same-size objects by stored sha256 or by downloading').choices(['metadata', 'download']).default('metadata'))
    .addHelpText(
      'after',
      '\nExamples:\n  cfb-storage migrate --from local:/Volumes/cfb/data --to r2://cfb-data --concurrency 16\n  cfb-storage migrate --from local:./data --to s3://bucket/cfb --prefix raw/ --dry-run\n  cfb-storage migrate --from s3://old/cfb --from-env old.env --to s3://new/cfb --to-env new.env',
    )
    .action(async (options: MigrateFlags) => {
      const concurrency = parseConcurrency(options.concurrency, 8)
      const json = Boolean(program.opts().json)
      const [from, to] = await openPair(options.from, options.to, io.env, { fromEnv: options.fromEnv, toEnv: options.toEnv, distinct: true })
      const progress = createProgress('migrate', io.stderr, json)
      const started = performance.now()
      // The plan's byte total arrives with the last progress report; a dry run prints it.
      let bytesToCopy = 0
      let copying: TransferProgress | undefined
      // Copies start while the source is still being listed; their count is known, the total not yet.
      let listing: TransferProgress | undefined
      const destination = drainingStore(to.store)
      // Ctrl-C: no new copies start, the ones in flight land (a half-written object would leave
      // its temporary file behind), the bar gives the cursor back, and one line says what landed.
      let interrupted = false
      const forget = onInterrupt(async () => {
        interrupted = true
        await destination.drain()
        // The copies that just landed report their progress on the next turn.
        await new Promise((resolve) => setImmediate(resolve))
        progress.stop()
        const done = copying
          ? `${copying.done} of ${copying.total} files (${formatBytes(copying.bytes)} of ${formatBytes(copying.totalBytes)}) were copied`
          : listing && listing.done > 0
            ? `${listing.done} files (${formatBytes(listing.bytes)}) were copied before the listing finished`
            : 'nothing was copied yet'
        io.stderr.write(`\nmigrate interrupted: ${done}; every copied file is whole. Run the same command again to copy the rest.\n`)
      })
      try {
        if (to.name === 'r2') await checkKeysForR2(from, options.prefix)
        const result = await runMigrate(() => migrate(from.store, destination.store, {
          prefixes: options.prefix,
          concurrency,
          dryRun: options.dryRun,
          deleteExtra: options.deleteExtra,
          checksum: options.checksum,
          onProgress: (p) => {
            if (p.phase === 'copying') copying = p
            else if (p.phase === 'listing') listing = p
            bytesToCopy = p.totalBytes
            progress.update(p)
          },
        }), () => interrupted)
        progress.stop()
        const seconds = (performance.now() - started) / 1000
        if (json) {
          const { copied, deleted, ...rest } = result
          const counts = result.dryRun ? { wouldCopy: copied.length, wouldDelete: deleted.length } : { copied: copied.length, deleted: deleted.length }
          print(io, JSON.stringify({ ...counts, ...rest, bytesToCopy, seconds }))
        } else {
          const verb = result.dryRun ? 'would copy' : 'copied'
          print(
            io,
            `${verb} ${result.copied.length} files (${formatBytes(result.dryRun ? bytesToCopy : result.bytesCopied)}), skipped ${result.skipped} identical, ${result.dryRun ? 'would delete' : 'deleted'} ${result.deleted.length} in ${seconds.toFixed(1)}s`,
          )
        }
      } finally {
        forget()
        progress.stop()
        closeBackend(from)
        closeBackend(to)
      }
    })
}
