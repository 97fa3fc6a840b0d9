import type { Command } from 'commander'
import { closeBackend, openBackend, SPEC_HELP } from '../backend-spec.js'
import { emit, type Io } from '../io.js'

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
        // Printed as listed, a page at a time: `ls | head` ends as soon as head has its lines.
        const json = Boolean(program.opts().json)
        let pending: string[] = []
        let printed = 0
        const flush = async () => {
          if (pending.length === 0) return
          const text = json ? `${printed === 0 ? '[' : ','}${pending.join(',')}` : `${pending.join('\n')}\n`
          printed += pending.length
          pending = []
          await emit(io.stdout, text)
        }
        for await (const entry of backend.store.list(prefix)) {
          if (entry.kind !== 'object') continue
          if (json) pending.push(JSON.stringify({ key: entry.key, size: entry.size }))
          else pending.push(options.long ? `${String(entry.size).padStart(12)}  ${entry.key}` : entry.key)
          if (pending.length >= 1000) await flush()
        }
        await flush()
        if (json) await emit(io.stdout, printed === 0 ? '[]\n' : ']\n')
      } finally {
        closeBackend(backend)
      }
    })
}
