import type { Command } from 'commander'
import { closeBackend, openBackend, SPEC_HELP } from '../backend-spec.js'
import { type Io, print } from '../io.js'

export function addLsCommand(program: Command, io: Io): void {
  program
    .command('ls')
    .description('list the keys under a prefix (all pages), relative to the root')
    .argument('[prefix]', 'key prefix; need not end at a folder boundary', '')
    .option('-b, --backend <spec>', SPEC_HELP, 'env')
    .option('-l, --long', 'show each object size in bytes')
    .addHelpText('after', '\nExamples:\n  cfb-storage ls games/season=2024/\n  cfb-storage ls --backend r2://cfb-data raw/ --json')
    .action(async (prefix: string, options: { backend: string; long?: boolean }) => {
      const backend = await openBackend(options.backend, io.env)
      try {
        const objects: { key: string; size: number }[] = []
        for await (const entry of backend.store.list(prefix)) {
          if (entry.kind === 'object') objects.push({ key: entry.key, size: entry.size })
        }
        if (program.opts().json) print(io, JSON.stringify(objects))
        else for (const o of objects) print(io, options.long ? `${String(o.size).padStart(12)}  ${o.key}` : o.key)
      } finally {
        closeBackend(backend)
      }
    })
}
