/**
 * A checkpoint keeps the tombstones of files removed within the table's retention and drops older
 * ones, as Delta's writers do: a table that is overwritten again and again (the pipeline's
 * pattern) keeps checkpoints, and the state a writer caches, as large as its live files.
 */
import { describe, expect, it } from '@jest/globals'
import { MemoryObjectStore, ObjectStorage } from '../src/index.js'
import { checkpointKey } from '../src/table/log-files.js'
import { readCheckpoint } from '../src/table/checkpoint.js'
import { loadState } from '../src/table/snapshot.js'

async function writtenTwentyOneTimes(table?: { keepRemovedFilesMs: number }) {
  const memory = new MemoryObjectStore()
  const storage = new ObjectStorage(memory)
  for (let i = 0; i <= 20; i++) await storage.write('t', [{ id: i }], { part: i % 2 }, { table })
  const checkpoint = await readCheckpoint(memory, checkpointKey('t', 20))
  return { memory, storage, checkpoint, removes: checkpoint.filter((a) => 'remove' in a).length }
}

describe('tombstones in checkpoints', () => {
  it('a table that deletes replaced files at once checkpoints no tombstones, and reads the same', async () => {
    const { memory, storage, checkpoint, removes } = await writtenTwentyOneTimes()
    expect(removes).toBe(0)
    expect(checkpoint.filter((a) => 'add' in a)).toHaveLength(2)
    expect((await loadState(memory, 't'))!.tombstones.size).toBe(0)
    expect((await storage.readIndex('t')).map((r) => r.id).sort()).toEqual([19, 20])
  })

  it('a table that keeps replaced files keeps the tombstones within its retention', async () => {
    const { memory, removes } = await writtenTwentyOneTimes({ keepRemovedFilesMs: 3_600_000 })
    // Versions 0 and 1 created the two partitions; each of the 19 after replaced a file.
    expect(removes).toBe(19)
    expect((await loadState(memory, 't'))!.tombstones.size).toBe(19)
  })

  it('drops the tombstones older than a short retention', async () => {
    const memory = new MemoryObjectStore()
    const storage = new ObjectStorage(memory)
    // Wide enough that versions 5-10 land within the retention on a loaded CI machine (at 50 ms,
    // six writes there once took longer and every tombstone had expired).
    const table = { keepRemovedFilesMs: 2_000 }
    for (let i = 0; i < 5; i++) await storage.write('t', [{ id: i }], { part: 0 }, { table })
    await new Promise((resolve) => setTimeout(resolve, 2_100))
    for (let i = 5; i <= 10; i++) await storage.write('t', [{ id: i }], { part: 0 }, { table })
    const removes = (await readCheckpoint(memory, checkpointKey('t', 10))).filter((a) => 'remove' in a)
    // Versions 1-4 removed their files over 2.1 s before the checkpoint; versions 5-10, just now.
    expect(removes.length).toBeLessThanOrEqual(6)
    expect(removes.length).toBeGreaterThan(0)
  })
})
