import { createRequire } from 'node:module'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { StorageBackend } from './facade/storage-backend.js'
import { StorageError } from './errors.js'
import { MemoryStorage } from './facade/memory-storage.js'

/** Environment variables as `process.env` holds them. */
export type Env = Record<string, string | undefined>

/** Backend name → the adapter package that provides it. */
export const ADAPTER_PACKAGES = {
  local: '@cfb/storage-local',
  s3: '@cfb/storage-s3',
  r2: '@cfb/storage-r2',
} as const

export type BackendName = keyof typeof ADAPTER_PACKAGES | 'memory'

/** What an adapter package exports for `getStorage()`. */
export interface AdapterModule {
  createStorage(env: Env): StorageBackend | Promise<StorageBackend>
}

function isMissing(error: unknown, pkg: string): boolean {
  const e = error as { code?: string; message?: string }
  return (e?.code === 'ERR_MODULE_NOT_FOUND' || e?.code === 'MODULE_NOT_FOUND') && !!e.message?.includes(pkg)
}

/**
 * Imports an adapter package: from core's own location first (npm's flat layout), then from the
 * application's working directory (pnpm's strict layout, where core cannot see its siblings).
 */
export async function loadAdapter(pkg: string): Promise<AdapterModule> {
  try {
    return (await import(pkg)) as AdapterModule
  } catch (error) {
    if (!isMissing(error, pkg)) throw error
  }
  try {
    const resolved = createRequire(join(process.cwd(), 'package.json')).resolve(pkg)
    return (await import(pathToFileURL(resolved).href)) as AdapterModule
  } catch (error) {
    if (!isMissing(error, pkg)) throw error
    throw new StorageError('CONFIG', `the adapter package ${pkg} is not installed: run npm install ${pkg}`, {
      cause: error,
    })
  }
}

/**
 * The backend the environment asks for: `CFB_STORAGE_BACKEND` = `local` (default, root from
 * `CFB_MODEL_DATA_ROOT`, default `./data`) | `s3` | `r2` | `memory`.
 */
export async function getStorage(env: Env = process.env): Promise<StorageBackend> {
  const name = (env.CFB_STORAGE_BACKEND ?? 'local').trim().toLowerCase() || 'local'
  if (name === 'memory') return new MemoryStorage()
  if (!(name in ADAPTER_PACKAGES)) {
    throw new StorageError(
      'CONFIG',
      `CFB_STORAGE_BACKEND must be one of local, s3, r2, memory; got ${JSON.stringify(name.slice(0, 20))}`,
    )
  }
  const adapter = await loadAdapter(ADAPTER_PACKAGES[name as keyof typeof ADAPTER_PACKAGES])
  return adapter.createStorage(env)
}
