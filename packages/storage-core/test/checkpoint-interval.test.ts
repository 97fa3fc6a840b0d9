/**
 * How often commits write a checkpoint: every `delta.checkpointInterval` versions, as Spark and
 * delta-rs read that table property, and every 10 when the table does not say (or says nonsense).
 */
import { describe, expect, it } from '@jest/globals'
import { MemoryObjectStore, ObjectStorage, StorageError } from '../src/index.js'
import { encodeActions } from '../src/table/actions.js'
import { commitKey } from '../src/table/log-files.js'

/** The versions that have a checkpoint file, after `write` made the table's versions. */
async function checkpointed(memory: MemoryObjectStore): Promise<number[]> {
  const versions: number[] = []
  for await (const entry of memory.list('t/_delta_log/')) {
    const match = entry.kind === 'object' ? /(\d{20})\.checkpoint\.parquet$/.exec(entry.key) : null
    if (match) versions.push(Number(match[1]))
  }
  return versions.sort((a, b) => a - b)
}

async function writeVersions(storage: ObjectStorage, count: number, table?: { checkpointInterval?: number }): Promise<void> {
  for (let i = 0; i < count; i++) await storage.write('t', [{ id: i }], { part: i % 2 }, { table })
}

/** A table another engine made: version 0 with this configuration, written to the log by hand. */
async function foreignTable(memory: MemoryObjectStore, configuration: Record<string, string>): Promise<void> {
  const schemaString = JSON.stringify({ type: 'struct', fields: [{ name: 'id', type: 'long', nullable: true, metadata: {} }, { name: 'part', type: 'long', nullable: true, metadata: {} }] })
  await memory.put(
    commitKey('t', 0),
    encodeActions([
      { protocol: { minReaderVersion: 1, minWriterVersion: 2 } },
      { metaData: { id: 'a0b1c2d3-0000-4000-8000-000000000000', format: { provider: 'parquet', options: {} }, schemaString, partitionColumns: ['part'], configuration, createdTime: 0 } },
    ]),
  )
}

describe('checkpoint interval', () => {
  it('checkpoints every 10 versions by default', async () => {
    const memory = new MemoryObjectStore()
    await writeVersions(new ObjectStorage(memory), 25)
    expect(await checkpointed(memory)).toEqual([10, 20])
  })

  it('checkpoints every checkpointInterval versions of a table created with it, and a new reader starts from the latest', async () => {
    const memory = new MemoryObjectStore()
    const storage = new ObjectStorage(memory)
    await writeVersions(storage, 8, { checkpointInterval: 3 })
    expect(await checkpointed(memory)).toEqual([3, 6])
    // Without the commits before the checkpoint (as after log cleanup), a new reader still has the table.
    await memory.delete([0, 1, 2, 3, 4, 5].map((v) => commitKey('t', v)))
    const fresh = new ObjectStorage(memory)
    expect((await fresh.readIndex('t')).map((r) => r.id).sort((a, b) => Number(a) - Number(b))).toEqual([6, 7])
    // The option belongs to the table's creation: a later write's option changes nothing.
    await writeVersions(storage, 4, { checkpointInterval: 100 })
    expect(await checkpointed(memory)).toEqual([3, 6, 9])
  })

  it("follows the interval of a table another engine made, and Delta's 10 where its value is not a positive integer", async () => {
    for (const [value, expected] of [
      ['4', [4, 8]],
      ['5', [5, 10]],
      [' 5', [10]],
      ['0', [10]],
      ['-3', [10]],
      ['2.5', [10]],
      ['abc', [10]],
      ['', [10]],
    ] as const) {
      const memory = new MemoryObjectStore()
      await foreignTable(memory, { 'delta.checkpointInterval': value })
      await writeVersions(new ObjectStorage(memory), 11)
      expect([value, await checkpointed(memory)]).toEqual([value, expected])
    }
  })

  it('refuses table options no table configuration can hold, before writing anything', async () => {
    const refused: [{ checkpointInterval?: number; keepRemovedFilesMs?: number }, RegExp][] = [
      ...[0, -1, 2.5, Number.NaN, '10' as unknown as number].map((checkpointInterval): [{ checkpointInterval: number }, RegExp] => [
        { checkpointInterval },
        /checkpointInterval must be a positive integer/,
      ]),
      ...[-1, Number.NaN, Number.POSITIVE_INFINITY, '60000' as unknown as number].map((keepRemovedFilesMs): [{ keepRemovedFilesMs: number }, RegExp] => [
        { keepRemovedFilesMs },
        /keepRemovedFilesMs must be a number of milliseconds/,
      ]),
    ]
    for (const [table, message] of refused) {
      const memory = new MemoryObjectStore()
      const storage = new ObjectStorage(memory)
      const error = await storage.write('t', [{ id: 1 }], { part: 1 }, { table }).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(StorageError)
      expect((error as StorageError).code).toBe('INVALID_ARGUMENT')
      expect((error as StorageError).message).toMatch(message)
      await expect(storage.createTable('t', { schema: { columns: [{ name: 'id', type: 'int' }] }, ...table })).rejects.toThrow(message)
      const keys: string[] = []
      for await (const entry of memory.list('')) keys.push(entry.kind === 'object' ? entry.key : entry.prefix)
      expect(keys).toEqual([])
    }
    // 0 ms keeps nothing, and is a table option all the same.
    const storage = new ObjectStorage(new MemoryObjectStore())
    await expect(storage.write('t', [{ id: 1 }], { part: 1 }, { table: { keepRemovedFilesMs: 0 } })).resolves.toBe(1)
  })
})
