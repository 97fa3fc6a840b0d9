// A strict ESM consumer: every public entry point resolves with types, and the types are real
// (the @ts-expect-error lines fail the check if a type degrades to any).
import { getStorage, type Row, StorageError, type StorageBackend, Partition } from '@cfb/storage-core'
import { LocalStorage } from '@cfb/storage-local'
import { S3Storage } from '@cfb/storage-s3'
import { R2Storage } from '@cfb/storage-r2'
import { buildProgram } from '@cfb/storage-cli'

export async function latestWeek(storage: StorageBackend): Promise<Row[]> {
  const rows: Row[] = await storage.readIndex('plays', { season: 2024, week: [1, 2] }, { columns: ['play_id'] })
  await storage.write('plays', rows, new Partition({ season: 2024, week: 3 }))
  // @ts-expect-error an entity name is a string
  await storage.write(42, rows, { season: 2024 })
  return rows
}

export async function open(): Promise<StorageBackend> {
  try {
    return await getStorage()
  } catch (error) {
    if (error instanceof StorageError && error.code === 'CONFIG') return new LocalStorage({ root: './data' })
    throw error
  }
}

// @ts-expect-error getStorage takes an environment, not a number
void getStorage(1)

export const adapters = [LocalStorage, S3Storage, R2Storage, buildProgram] as const
