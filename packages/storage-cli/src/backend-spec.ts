import { constants } from 'node:fs'
import { access, readFile, stat } from 'node:fs/promises'
import { dirname } from 'node:path'
import { type Env, getStorage, type ObjectStorage, StorageError, type StorageBackend } from '@cfb/storage-core'
import { UsageError } from './usage-error.js'

/** How a backend is named on the command line. */
export const SPEC_HELP = 'local:<dir> | s3://<bucket>[/<prefix>] | r2://<bucket>[/<prefix>] | memory: | env'

/**
 * Opens the backend a spec names. Cloud specs take the bucket and prefix from the spec and
 * everything else (credentials, endpoint, account) from the environment, as `getStorage()` does.
 */
export async function openBackend(spec: string, env: Env = process.env, root: RootUse = 'read'): Promise<ObjectStorage> {
  const settings = specEnv(spec, env)
  checkEndpoints(settings)
  const backend = await getStorage(settings)
  if (!('store' in backend)) {
    throw new StorageError('NOT_SUPPORTED', `backend ${backend.name} does not expose its object store`)
  }
  try {
    if (backend.name === 'local' && root !== 'unchecked') await checkLocalRoot(backend.root(), root)
  } catch (error) {
    closeBackend(backend)
    throw error
  }
  return backend as ObjectStorage
}

/**
 * How a command uses its root: `read` needs it to exist (a typo'd root would read as empty);
 * `write` creates it when missing, but not over a file nor on a read-only disk; `doctor` reports
 * what it finds itself (`unchecked`).
 */
export type RootUse = 'read' | 'write' | 'unchecked'

export async function checkLocalRoot(root: string, use: 'read' | 'write'): Promise<void> {
  const found = await stat(root).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return undefined
    throw new StorageError('PERMISSION_DENIED', `cannot look at the local root ${root} (${error.code ?? error.message})`)
  })
  if (found && !found.isDirectory()) {
    throw new StorageError('CONFIG', `the local root ${root} is a file, not a folder (check --backend or CFB_MODEL_DATA_ROOT)`)
  }
  if (!found && use === 'read') {
    throw new StorageError('CONFIG', `the local root ${root} does not exist (check --backend or CFB_MODEL_DATA_ROOT)`)
  }
  if (use === 'write') {
    const problem = await localWriteProblem(root)
    if (problem) throw problem
  }
}

/**
 * Why nothing can be written under a local root, asked of the folder itself (or of the nearest
 * one that exists): a read-only file system or missing permission. Checked up front because
 * `mkdir -p` on a read-only file system fails with ENOENT, which would read as "not found".
 */
export async function localWriteProblem(root: string): Promise<StorageError | undefined> {
  let dir = root
  for (;;) {
    try {
      await access(dir, constants.W_OK)
      return undefined
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code === 'EROFS') return new StorageError('PERMISSION_DENIED', `${dir} is on a read-only file system: nothing can be written under ${root}`)
      if (code === 'EACCES' || code === 'EPERM') return new StorageError('PERMISSION_DENIED', `no permission to write in ${dir}`)
      if (code !== 'ENOENT' || dirname(dir) === dir) return undefined
      dir = dirname(dir)
    }
  }
}

/** An endpoint without a scheme would fail later as an unreachable server, which hides the typo. */
function checkEndpoints(env: Env): void {
  const backend = (env.CFB_STORAGE_BACKEND ?? '').trim().toLowerCase()
  for (const name of backend === 's3' ? ['CFB_S3_ENDPOINT'] : backend === 'r2' ? ['CFB_R2_ENDPOINT'] : []) {
    const value = env[name]?.trim()
    if (value && !/^https?:\/\/[^/]/i.test(value)) {
      throw new StorageError('CONFIG', `${name} must be a URL starting with http:// or https://, got ${JSON.stringify(value.slice(0, 80))}`)
    }
  }
}

function splitBucket(rest: string, spec: string): { bucket: string; prefix: string } {
  const [bucket, ...path] = rest.split('/')
  if (!bucket) throw new UsageError(`no bucket in ${JSON.stringify(spec)}: expected ${SPEC_HELP}`)
  return { bucket, prefix: path.filter(Boolean).join('/') }
}

/**
 * The environment a spec stands for: `env` with the spec's backend, root or bucket and prefix
 * set over it, so that opening a spec and showing its settings read the same values.
 */
export function specEnv(spec: string, env: Env): Env {
  const trimmed = spec.trim()
  if (trimmed === 'env' || trimmed === '') return env
  if (trimmed === 'memory:' || trimmed === 'memory') return { ...env, CFB_STORAGE_BACKEND: 'memory' }
  if (trimmed.startsWith('local:')) {
    const root = trimmed.slice('local:'.length)
    if (!root) throw new UsageError(`no directory in ${JSON.stringify(spec)}: expected local:<dir>`)
    return { ...env, CFB_STORAGE_BACKEND: 'local', CFB_MODEL_DATA_ROOT: root }
  }
  if (trimmed.startsWith('s3://')) {
    const { bucket, prefix } = splitBucket(trimmed.slice('s3://'.length), spec)
    return { ...env, CFB_STORAGE_BACKEND: 's3', CFB_S3_BUCKET: bucket, CFB_S3_PREFIX: prefix }
  }
  if (trimmed.startsWith('r2://')) {
    const { bucket, prefix } = splitBucket(trimmed.slice('r2://'.length), spec)
    return { ...env, CFB_STORAGE_BACKEND: 'r2', CFB_R2_BUCKET: bucket, CFB_R2_PREFIX: prefix }
  }
  throw new UsageError(`unknown backend ${JSON.stringify(trimmed.slice(0, 60))}: expected ${SPEC_HELP}`)
}

/** Per-side settings files for a transfer between two services (`--from-env`, `--to-env`). */
export interface PairOptions {
  fromEnv?: string
  toEnv?: string
  /** Refuse a destination that is the source or lies inside it (or the reverse): `migrate`. */
  distinct?: boolean
  /** How the destination's root is used: `migrate` writes (and may create it), `verify` reads. */
  toUse?: RootUse
}

/**
 * Settings from a `KEY=VALUE` file (blank lines and `#` comments skipped, optional quotes)
 * over `env`: one side of a transfer can have its own endpoint and credentials.
 */
export async function envWithFile(env: Env, file: string | undefined, flag: string): Promise<Env> {
  if (file === undefined) return env
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    throw new UsageError(`${flag} ${JSON.stringify(file)}: ${(error as NodeJS.ErrnoException).code ?? 'cannot read'}`)
  }
  const out: Env = { ...env }
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim().replace(/^export\s+/, '')
    if (line === '' || line.startsWith('#')) return
    const match = /^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line)
    if (!match) throw new UsageError(`${flag} ${JSON.stringify(file)}: line ${index + 1} is not KEY=VALUE`)
    out[match[1]!] = match[2]!.replace(/^(['"])(.*)\1$/, '$2')
  })
  return out
}

/** Where a backend's objects live, endpoint included, for telling two locations apart. */
function location(backend: ObjectStorage, env: Env): string {
  const root = backend.root().replace(/\/*$/, '/')
  if (backend.name === 's3') return `${env.CFB_S3_ENDPOINT ?? ''} ${root}`
  if (backend.name === 'r2') return `${env.CFB_R2_ENDPOINT ?? env.CFB_R2_ACCOUNT_ID ?? ''} ${root}`
  return `${backend.name} ${root}`
}

/**
 * The source and destination of a transfer. A `local:` source must exist: a typo in its path
 * would otherwise "migrate" nothing and verify as clean.
 */
export async function openPair(fromSpec: string, toSpec: string, env: Env, options: PairOptions = {}): Promise<[ObjectStorage, ObjectStorage]> {
  if (fromSpec.startsWith('local:')) {
    const dir = fromSpec.slice('local:'.length)
    const exists = await stat(dir).then((s) => s.isDirectory(), () => false)
    if (dir && !exists) throw new UsageError(`--from ${JSON.stringify(fromSpec)}: no such directory`)
  }
  const fromEnv = await envWithFile(env, options.fromEnv, '--from-env')
  const toEnv = await envWithFile(env, options.toEnv, '--to-env')
  const from = await openBackend(fromSpec, fromEnv)
  let to: ObjectStorage | undefined
  try {
    to = await openBackend(toSpec, toEnv, options.toUse ?? 'write')
    if (options.distinct && from.name !== 'memory') {
      const a = location(from, specEnv(fromSpec, fromEnv))
      const b = location(to, specEnv(toSpec, toEnv))
      if (a.startsWith(b) || b.startsWith(a)) {
        throw new UsageError(
          a === b ? `--from and --to are the same location (${from.root()}): nothing to migrate` : `--from ${from.root()} and --to ${to.root()} overlap: one lies inside the other, so a migrate would copy into its own source`,
        )
      }
    }
    return [from, to]
  } catch (error) {
    closeBackend(from)
    if (to) closeBackend(to)
    throw error
  }
}

/** Closes sockets a backend holds (S3 clients), so the process can exit. */
export function closeBackend(backend: StorageBackend): void {
  const closable = backend as StorageBackend & { close?: () => void }
  if (typeof closable.close === 'function') closable.close()
}
