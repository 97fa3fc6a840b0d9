import type { Partition } from '@cfb/storage-core'
import type { Command } from 'commander'
import { closeBackend, openBackend, SPEC_HELP } from '../backend-spec.js'
import { collect, FILTER_OPTION_HELP, parseFilters } from '../filter-args.js'
import { emit, type Io } from '../io.js'

// Made on first use: a collator takes about 5 ms to make, which every command would pay at start.
let natural: Intl.Collator | undefined

/** Partition values in natural order: numbers by value (week=2 before week=10), text as people sort it, null last. */
function compareValues(a: unknown, b: unknown): number {
  if (a === b) return 0
  if (a === null || a === undefined) return 1
  if (b === null || b === undefined) return -1
  if (typeof a === 'number' && typeof b === 'number') return a - b
  natural ??= new Intl.Collator('en', { numeric: true })
  return natural.compare(String(a), String(b))
}

export function comparePartitions(a: Partition, b: Partition): number {
  for (const key of a.keys) {
    const order = compareValues(a.values[key], b.values[key])
    if (order !== 0) return order
  }
  return 0
}

/** `season=2024/team=Café`: the values as `read` shows them, not as they are escaped in folder names. */
function describe(partition: Partition): string {
  return partition.keys.map((key) => `${key}=${partition.values[key] === null ? '(null)' : String(partition.values[key])}`).join('/')
}

export function addPartitionsCommand(program: Command, io: Io): void {
  program
    .command('partitions')
    .description('list the committed partitions of an entity, in natural order (week=2 before week=10)')
    .argument('<entity>', 'entity name, e.g. games')
    .option('-b, --backend <spec>', SPEC_HELP, 'env')
    .option('-f, --filter <condition>', FILTER_OPTION_HELP, collect, [])
    .addHelpText('after', '\nExamples:\n  cfb-storage partitions plays --filter season=2024\n  cfb-storage partitions plays --filter "week>=10" --json')
    .action(async (entity: string, options: { backend: string; filter: string[] }) => {
      const filters = parseFilters(options.filter)
      const backend = await openBackend(options.backend, io.env)
      try {
        const partitions = (await backend.listPartitions(entity, filters)).sort(comparePartitions)
        if (program.opts().json) {
          await emit(io.stdout, `${JSON.stringify(partitions.map((p) => p.values))}\n`)
        } else {
          for (let i = 0; i < partitions.length; i += 1000) {
            await emit(io.stdout, `${partitions.slice(i, i + 1000).map(describe).join('\n')}\n`)
          }
        }
      } finally {
        closeBackend(backend)
      }
    })
}
