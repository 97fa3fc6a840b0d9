import type { Command } from 'commander'
import { closeBackend, openBackend, SPEC_HELP } from '../backend-spec.js'
import { parseFilters } from '../filter-args.js'
import { type Io, print } from '../io.js'

export function addPartitionsCommand(program: Command, io: Io): void {
  program
    .command('partitions')
    .description('list the committed partitions of an entity')
    .argument('<entity>', 'entity name, e.g. games')
    .option('-b, --backend <spec>', SPEC_HELP, 'env')
    .option('-f, --filter <condition...>', 'key=value | key=v1,v2 | key>=value | key<value | key!=value')
    .addHelpText('after', '\nExamples:\n  cfb-storage partitions plays --filter season=2024\n  cfb-storage partitions plays --filter "week>=10" --json')
    .action(async (entity: string, options: { backend: string; filter?: string[] }) => {
      const filters = parseFilters(options.filter)
      const backend = await openBackend(options.backend, io.env)
      try {
        const partitions = await backend.listPartitions(entity, filters)
        if (program.opts().json) print(io, JSON.stringify(partitions.map((p) => p.values)))
        else for (const p of partitions) print(io, p.pathSuffix())
      } finally {
        closeBackend(backend)
      }
    })
}
