import { stat } from 'node:fs/promises'
import { type Env, getStorage, type ObjectStorage, StorageError, type StorageBackend } from '@cfb/storage-core'
import { UsageError } from './usage-error.js'

/** How a backend is named on the command line. */
export const SPEC_HELP = 'local:<dir> | s3://<bucket>[/<prefix>] | r2://<bucket>[/<prefix>] | memory: | env'

/**
 * Opens the backend a spec names. Cloud specs take the bucket and prefix from the spec and
 * everything else (credentials, endpoint, account) from the environment, as `getStorage()` does.
 */
export async function openBackend(spec: string, env: Env = process.env): Promise<ObjectStorage> {
  const backend = await getStorage(specEnv(spec, env))
  if (!('store' in backend)) {
    throw new StorageError('NOT_SUPPORTED', `backend ${backend.name} does not expose its object store`)
  }
  return backend as ObjectStorage
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

/**
 * The source and destination of a transfer. A `local:` source must exist: a typo in its path
 * would otherwise "migrate" nothing and verify as clean.
 */
export async function openPair(fromSpec: string, toSpec: string, env: Env): Promise<[ObjectStorage, ObjectStorage]> {
  if (fromSpec.startsWith('local:')) {
    const dir = fromSpec.slice('local:'.length)
    const exists = await stat(dir).then((s) => s.isDirectory(), () => false)
    if (dir && !exists) throw new UsageError(`--from ${JSON.stringify(fromSpec)}: no such directory`)
  }
  const from = await openBackend(fromSpec, env)
  try {
    return [from, await openBackend(toSpec, env)]
  } catch (error) {
    closeBackend(from)
    throw error
  }
}

/** Closes sockets a backend holds (S3 clients), so the process can exit. */
export function closeBackend(backend: StorageBackend): void {
  const closable = backend as StorageBackend & { close?: () => void }
  if (typeof closable.close === 'function') closable.close()
}
