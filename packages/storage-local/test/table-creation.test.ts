// Creating a table while its first data files are in flight. Writers put their data files before the
// version that lists them, so a new table's folder holds data files with no log for a moment (or for
// good, when the writer of version 0 died). Neither is a plain Hive folder to refuse.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { logVersions } from '@cfb/test-servers'
import { LocalStorage } from '../src/index.js'

let root: string
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'cfb-table-creation-'))
})
afterAll(async () => {
  await rm(root, { recursive: true, force: true })
})

describe('writers creating a table at once', () => {
  // A writer that sees another writer's data file with no log yet (put, version 0 not yet committed)
  // must not take the entity for a plain Hive folder: both writes land.
  it('a write starting while the first writer is between its data file and version 0 lands, and so does the first', async () => {
    const folder = join(root, 'racing')
    const first = new LocalStorage({ root: folder })
    const second = new LocalStorage({ root: folder })
    const put = first.store.put.bind(first.store)
    let secondWrite: Promise<number> | undefined
    first.store.put = async (key, bytes, options) => {
      // Version 0 is about to be put: the data file is in place. The second writer starts now.
      if (key.includes('/_delta_log/') && !secondWrite) {
        secondWrite = second.write('plays', [{ id: 2 }], { week: 2 })
        await secondWrite.catch(() => undefined)
      }
      return put(key, bytes, options)
    }
    const [firstOutcome] = await Promise.allSettled([first.write('plays', [{ id: 1 }], { week: 1 })])
    const [secondOutcome] = await Promise.allSettled([secondWrite!])
    const described = (o: PromiseSettledResult<number>) => (o.status === 'fulfilled' ? o.value : String(o.reason))
    expect([firstOutcome!, secondOutcome!].map(described)).toEqual([1, 1])
    const rows = await new LocalStorage({ root: folder }).readIndex('plays')
    expect(rows.map((r) => r.id).sort()).toEqual([1, 2])
    expect(await logVersions(new LocalStorage({ root: folder }), 'plays')).toBe('0..1')
  })

  // A writer that died between its data file and version 0 leaves an orphan that neither makes the
  // entity a plain folder nor blocks the next write; vacuum removes it.
  it('a write after a first writer died before version 0 creates the table (vacuum removes the orphan)', async () => {
    const folder = join(root, 'died')
    const dying = new LocalStorage({ root: folder })
    const put = dying.store.put.bind(dying.store)
    dying.store.put = async (key, bytes, options) => {
      if (key.includes('/_delta_log/')) throw new Error('killed before version 0')
      return put(key, bytes, options)
    }
    await expect(dying.write('plays', [{ id: 1 }], { week: 1 })).rejects.toThrow('killed before version 0')
    const storage = new LocalStorage({ root: folder })
    const written = await storage.write('plays', [{ id: 2 }], { week: 2 }).then(
      (n) => n,
      (error: { code?: string }) => `write failed: ${error.code}`,
    )
    const { deleted } = await storage.vacuum('plays', { olderThanMs: 0 })
    expect({ written, orphanRemoved: deleted.some((key) => key.startsWith('plays/week=1/part-')), rows: await storage.readIndex('plays') }).toEqual({
      written: 1,
      orphanRemoved: true,
      rows: [{ id: 2, week: 2 }],
    })
  })
})
