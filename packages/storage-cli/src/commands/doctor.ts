import { randomUUID } from 'node:crypto'
import { isStorageError } from '@cfb/storage-core'
import type { Command } from 'commander'
import { checkLocalRoot, closeBackend, localWriteProblem, openBackend, SPEC_HELP, specEnv } from '../backend-spec.js'
import { redact, SETTINGS, shownValue } from '../env-settings.js'
import { ExitCode, type Io, print } from '../io.js'

export function addDoctorCommand(program: Command, io: Io): void {
  program
    .command('doctor')
    .description('show the configuration in effect (secrets as ****), and check the backend is reachable and writable')
    .option('-b, --backend <spec>', SPEC_HELP, 'env')
    .addHelpText('after', '\nExamples:\n  cfb-storage doctor\n  CFB_STORAGE_BACKEND=r2 cfb-storage doctor --json')
    .action(async (options: { backend: string }) => {
      // The settings the spec implies (its bucket and prefix over the environment's credentials).
      const env = specEnv(options.backend, io.env)
      const name = (env.CFB_STORAGE_BACKEND || 'local').trim().toLowerCase()
      // A value the spec put in effect is marked as such: the environment does not set it.
      const fromSpec = (key: string) => env[key] !== io.env[key] && env[key] !== undefined && env[key] !== ''
      const keys = ['CFB_STORAGE_BACKEND', ...(SETTINGS[name] ?? [])]
      const settings = Object.fromEntries(keys.map((key) => [key, shownValue(key, env)]))
      const report: Record<string, unknown> = { backend: name, spec: options.backend, settings, fromSpec: keys.filter(fromSpec) }
      let healthy = true
      try {
        const backend = await openBackend(options.backend, io.env, 'unchecked')
        report.root = backend.root()
        try {
          // A local root that does not exist is a typo more often than a new dataset: report it
          // rather than create it with the probe.
          if (backend.name === 'local') await checkLocalRoot(backend.root(), 'read')
          let started = performance.now()
          let keys = 0
          for await (const entry of backend.store.list('', { limit: 100 })) {
            if (++keys >= 100 || entry.kind !== 'object') break
          }
          report.reachable = { ok: true, ms: Math.round(performance.now() - started) }
          const probe = `_doctor/probe-${randomUUID()}`
          started = performance.now()
          await backend.writeBytes(probe, new TextEncoder().encode('cfb-storage doctor'))
          await backend.delete(probe)
          report.writable = { ok: true, ms: Math.round(performance.now() - started), probe }
        } catch (caught) {
          healthy = false
          const step = report.reachable ? 'writable' : 'reachable'
          // A read-only disk fails `mkdir -p` with ENOENT; ask the folder itself what is wrong.
          const error = (backend.name === 'local' && (await localWriteProblem(backend.root()))) || caught
          report[step] = { ok: false, code: isStorageError(error) ? error.code : 'UNAVAILABLE', error: redact((error as Error).message, io.env) }
        } finally {
          closeBackend(backend)
        }
        report.missing = []
      } catch (error) {
        if (!isStorageError(error, 'CONFIG')) throw error
        healthy = false
        report.missing = [redact(error.message, io.env)]
      }
      if (program.opts().json) {
        print(io, JSON.stringify(report))
      } else {
        print(io, `backend: ${name}${options.backend === 'env' ? ' (from CFB_STORAGE_BACKEND)' : ` (${options.backend})`}`)
        for (const [key, value] of Object.entries(settings)) print(io, `  ${key}=${value}${fromSpec(key) ? ' (from --backend)' : ''}`)
        if (report.root) print(io, `root: ${report.root}`)
        for (const step of ['reachable', 'writable'] as const) {
          const r = report[step] as { ok: boolean; ms?: number; error?: string; code?: string } | undefined
          if (r) print(io, `${step}: ${r.ok ? `yes (${r.ms} ms)` : `no: ${r.code}: ${r.error}`}`)
        }
        const missing = report.missing as string[]
        print(io, `missing: ${missing.length === 0 ? 'nothing' : missing.join('; ')}`)
      }
      if (!healthy) throw new ExitCode(1)
    })
}
