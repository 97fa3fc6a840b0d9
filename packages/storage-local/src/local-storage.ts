import { ObjectStorage } from '@cfb/storage-core'
import { LocalObjectStore } from './local-object-store.js'

export interface LocalStorageOptions {
  /** Folder holding the datasets; created on first write. */
  root: string
}

/** The storage facade over a folder on local disk. */
export class LocalStorage extends ObjectStorage {
  constructor(options: LocalStorageOptions) {
    super(new LocalObjectStore(options))
  }
}

/** Entry point for core's `getStorage()`: `CFB_MODEL_DATA_ROOT` names the root (default `./data`). */
export function createStorage(env: Record<string, string | undefined>): LocalStorage {
  // An empty variable counts as unset, as shells make it easy to export one by mistake.
  return new LocalStorage({ root: env.CFB_MODEL_DATA_ROOT || './data' })
}
