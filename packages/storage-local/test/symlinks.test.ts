import { cp, lstat, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import type { Row, StorageBackend } from '@cfb/storage-core'
import { LocalStorage } from '../src/index.js'

/**
 * Symbolic links through the facade users hold: a link leading outside the root is refused with
 * PERMISSION_DENIED for every read and write, whether it is the file itself, a folder in the
 * middle of a key, an entity folder, a partition folder or a table's `_delta_log/`, and nothing
 * outside the root is read, created or changed. A table is read from its log, not from folder
 * listings: a linked partition folder the log lists no file in is never opened, and one it does
 * list a file in is refused. Links that stay inside the root are ordinary folders and files.
 */

const text = (value: string) => new TextEncoder().encode(value)

async function failureOf(promise: Promise<unknown>): Promise<{ code?: unknown; key?: unknown; backend?: unknown }> {
  let result: unknown
  try {
    result = await promise
  } catch (error) {
    return error as { code?: unknown }
  }
  throw new Error(`expected a rejection, but it resolved with ${JSON.stringify(result)}`)
}

async function scanAll(storage: StorageBackend, entity: string): Promise<Row[]> {
  const rows: Row[] = []
  for await (const batch of storage.scan(entity)) rows.push(...batch)
  return rows
}

/**
 * Keys a listing shows. Whether a link leading out is skipped or refused (PERMISSION_DENIED) is
 * the listing's choice; what it must never do is show anything from outside.
 */
async function listedOrRefused(storage: StorageBackend, prefix: string): Promise<string[]> {
  try {
    return await storage.listFiles(prefix)
  } catch (error) {
    expect(error).toMatchObject({ code: 'PERMISSION_DENIED' })
    return []
  }
}

/** Every path below `dir` with its kind, and for files their size and modification time. */
async function snapshot(dir: string): Promise<string[]> {
  const out: string[] = []
  for (const name of (await readdir(dir, { recursive: true })).sort()) {
    const info = await lstat(join(dir, name))
    out.push(`${name}:${info.isDirectory() ? 'dir' : `${info.size}@${info.mtimeMs}`}`)
  }
  return out
}

let sandbox: string
let root: string
let outside: string
let storage: LocalStorage
let outsideBefore: string[]

beforeEach(async () => {
  sandbox = await mkdtemp(join(tmpdir(), 'cfb-symlinks-'))
  root = join(sandbox, 'root')
  outside = join(sandbox, 'outside')
  await mkdir(root)
  await mkdir(outside)
  await writeFile(join(outside, 'secret.txt'), 'secret')
  // A dataset outside the root, written by its own storage, for links to point at.
  const foreign = new LocalStorage({ root: outside })
  await foreign.write('games', [{ id: 99, secret: true }], { season: 2024 })
  await foreign.writeCsv('table.csv', [{ id: 99 }])
  storage = new LocalStorage({ root })
  outsideBefore = await snapshot(outside)
})

afterEach(async () => {
  // Nothing outside the root was created, modified or removed, whatever the test did.
  expect(await snapshot(outside)).toEqual(outsideBefore)
  expect(await readFile(join(outside, 'secret.txt'), 'utf8')).toBe('secret')
  await rm(sandbox, { recursive: true, force: true })
})

describe('a link to a file outside the root', () => {
  beforeEach(async () => {
    await mkdir(join(root, 'notes'))
    await symlink(join(outside, 'secret.txt'), join(root, 'notes', 'secret.txt'))
    await symlink(join(outside, 'table.csv'), join(root, 'notes', 'table.csv'))
  })

  it('is refused for every read of the path API', async () => {
    // Thunks, so each call starts only when awaited and no rejection goes unhandled meanwhile.
    for (const attempt of [
      () => storage.readBytes('notes/secret.txt'),
      () => storage.readBytes('notes/secret.txt', { start: 0, end: 2 }),
      () => storage.readCsv('notes/table.csv'),
      () => storage.exists('notes/secret.txt'),
    ]) {
      expect(await failureOf(attempt())).toMatchObject({ code: 'PERMISSION_DENIED', backend: 'local' })
    }
    expect(await failureOf(storage.readBytes('notes/secret.txt'))).toMatchObject({ key: 'notes/secret.txt' })
  })

  it('is refused for every write of the path API, leaving the target untouched', async () => {
    for (const attempt of [
      () => storage.writeBytes('notes/secret.txt', text('overwritten')),
      () => storage.writeCsv('notes/table.csv', [{ id: 1 }]),
      () => storage.writeParquet('notes/secret.txt', [{ id: 1 }]),
    ]) {
      expect(await failureOf(attempt())).toMatchObject({ code: 'PERMISSION_DENIED', backend: 'local' })
    }
  })

  it('is never listed, so no outside name or content leaks through a listing', async () => {
    await storage.writeBytes('notes/mine.txt', text('mine'))
    expect(await listedOrRefused(storage, '')).not.toContain('notes/secret.txt')
    expect(await listedOrRefused(storage, 'notes/')).not.toContain('notes/table.csv')
  })

  it('replacing a committed data file is refused on read, not reported as a missing file', async () => {
    await storage.write('games', [{ id: 1 }], { season: 2023 })
    const [data] = (await storage.listFiles('games/')).filter((key) => key.endsWith('.parquet'))
    const foreignData = (await readdir(join(outside, 'games', 'season=2024'))).find((n) => n.endsWith('.parquet'))
    await cp(join(outside, 'games', 'season=2024', foreignData!), join(sandbox, 'copy.parquet'))
    await rm(join(root, data!))
    await symlink(join(sandbox, 'copy.parquet'), join(root, data!))
    expect(await failureOf(storage.readIndex('games'))).toMatchObject({ code: 'PERMISSION_DENIED', key: data })
    expect(await failureOf(scanAll(storage, 'games'))).toMatchObject({ code: 'PERMISSION_DENIED', key: data })
    expect(await failureOf(storage.readParquet(data!))).toMatchObject({ code: 'PERMISSION_DENIED', key: data })
    // The copy the link points at is untouched by any of it.
    expect((await stat(join(sandbox, 'copy.parquet'))).isFile()).toBe(true)
  })
})

describe('a linked folder in the middle of a key, leading outside the root', () => {
  beforeEach(async () => {
    await mkdir(join(root, 'a'))
    await symlink(outside, join(root, 'a', 'escape'))
  })

  it('is refused for reads, existing or missing files alike', async () => {
    for (const key of ['a/escape/secret.txt', 'a/escape/missing.txt', 'a/escape/games/x/y.parquet']) {
      expect(await failureOf(storage.readBytes(key))).toMatchObject({ code: 'PERMISSION_DENIED', key })
      expect(await failureOf(storage.exists(key))).toMatchObject({ code: 'PERMISSION_DENIED', key })
    }
    expect(await failureOf(storage.readCsv('a/escape/table.csv'))).toMatchObject({ code: 'PERMISSION_DENIED' })
  })

  it('is refused for writes and deletes, creating no file or folder outside', async () => {
    for (const key of ['a/escape/new.txt', 'a/escape/deep/er/new.txt', 'a/escape/secret.txt']) {
      expect(await failureOf(storage.writeBytes(key, text('x')))).toMatchObject({ code: 'PERMISSION_DENIED', key })
    }
    expect(await failureOf(storage.writeParquet('a/escape/p.parquet', [{ id: 1 }]))).toMatchObject({
      code: 'PERMISSION_DENIED',
    })
    expect(await failureOf(storage.delete('a/escape/secret.txt'))).toMatchObject({ code: 'PERMISSION_DENIED' })
    expect(await failureOf(storage.delete(['a/fine.txt', 'a/escape/secret.txt']))).toMatchObject({
      code: 'PERMISSION_DENIED',
    })
  })

  it('is never listed', async () => {
    expect(await listedOrRefused(storage, '')).toEqual([])
    expect(await listedOrRefused(storage, 'a/escape/')).toEqual([])
  })
})

describe('a linked entity folder leading outside the root', () => {
  beforeEach(async () => {
    await storage.write('teams', [{ id: 1 }], { season: 2024 })
    await symlink(join(outside, 'games'), join(root, 'games'))
  })

  it('is refused by write, overwrite and append alike', async () => {
    expect(await failureOf(storage.write('games', [{ id: 1 }], { season: 2024 }))).toMatchObject({
      code: 'PERMISSION_DENIED',
    })
    expect(await failureOf(storage.write('games', [{ id: 1 }], { season: 2025 }, { overwrite: false }))).toMatchObject({
      code: 'PERMISSION_DENIED',
    })
  })

  it('is refused by readIndex, scan and listPartitions rather than read as empty', async () => {
    expect(await failureOf(storage.readIndex('games'))).toMatchObject({ code: 'PERMISSION_DENIED' })
    expect(await failureOf(storage.readIndex('games', { season: 2024 }))).toMatchObject({ code: 'PERMISSION_DENIED' })
    expect(await failureOf(scanAll(storage, 'games'))).toMatchObject({ code: 'PERMISSION_DENIED' })
    expect(await failureOf(storage.listPartitions('games'))).toMatchObject({ code: 'PERMISSION_DENIED' })
  })

  it('leaves vacuum of the whole root unable to delete anything outside', async () => {
    await storage.vacuum(undefined, { olderThanMs: 0 }).catch((error: { code?: string }) => {
      expect(error.code).toBe('PERMISSION_DENIED')
    })
    expect(await storage.readIndex('teams')).toEqual([{ id: 1, season: 2024 }])
  })
})

describe('a linked partition folder leading outside the root, which the log lists no file in', () => {
  beforeEach(async () => {
    await storage.write('games', [{ id: 1 }], { season: 2023 })
    await symlink(join(outside, 'games', 'season=2024'), join(root, 'games', 'season=2024'))
  })

  it('is never opened by readIndex, scan or listPartitions: they read the log, and no outside row comes back', async () => {
    expect(await storage.readIndex('games')).toEqual([{ id: 1, season: 2023 }])
    expect(await storage.readIndex('games', { season: 2024 })).toEqual([])
    expect(await scanAll(storage, 'games')).toEqual([{ id: 1, season: 2023 }])
    expect((await storage.listPartitions('games')).map((p) => ({ ...p.values }))).toEqual([{ season: 2023 }])
  })

  it('still lets the other partitions be read on their own', async () => {
    expect(await storage.readIndex('games', { season: 2023 })).toEqual([{ id: 1, season: 2023 }])
  })

  it('is refused by overwrite and append, writing nothing anywhere', async () => {
    // The whole root cannot be listed while the link is there; the rest of it can.
    const before = await storage.listFiles('games/season=2023/')
    const log = await storage.listFiles('games/_delta_log/')
    expect(await failureOf(storage.write('games', [{ id: 2 }], { season: 2024 }))).toMatchObject({
      code: 'PERMISSION_DENIED',
    })
    expect(await failureOf(storage.write('games', [{ id: 2 }], { season: 2024 }, { overwrite: false }))).toMatchObject({
      code: 'PERMISSION_DENIED',
    })
    expect(await storage.listFiles('games/season=2023/')).toEqual(before)
    // No version was committed for the refused writes.
    expect(await storage.listFiles('games/_delta_log/')).toEqual(log)
  })

  it('is not emptied by vacuum', async () => {
    await storage.vacuum('games', { olderThanMs: 0 }).catch((error: { code?: string }) => {
      expect(error.code).toBe('PERMISSION_DENIED')
    })
    expect(await storage.readIndex('games', { season: 2023 })).toEqual([{ id: 1, season: 2023 }])
  })
})

describe('a linked partition folder leading outside the root, holding a file the log lists', () => {
  let data: string | undefined
  beforeEach(async () => {
    await storage.write('games', [{ id: 1 }], { season: 2023 })
    await storage.write('games', [{ id: 2 }], { season: 2024 })
    ;[data] = (await storage.listFiles('games/season=2024/')).filter((key) => key.endsWith('.parquet'))
    // The same file name, in a folder outside the root that the partition folder now links to.
    const elsewhere = join(sandbox, 'elsewhere')
    await mkdir(elsewhere)
    await cp(join(root, data!), join(elsewhere, data!.slice(data!.lastIndexOf('/') + 1)))
    await rm(join(root, 'games', 'season=2024'), { recursive: true })
    await symlink(elsewhere, join(root, 'games', 'season=2024'))
  })

  it('is refused by readIndex and scan, naming the file, rather than read or skipped', async () => {
    expect(await failureOf(storage.readIndex('games'))).toMatchObject({ code: 'PERMISSION_DENIED', key: data })
    expect(await failureOf(storage.readIndex('games', { season: 2024 }))).toMatchObject({ code: 'PERMISSION_DENIED', key: data })
    expect(await failureOf(scanAll(storage, 'games'))).toMatchObject({ code: 'PERMISSION_DENIED', key: data })
    // A read that the log's partition values keep away from it does not touch it.
    expect(await storage.readIndex('games', { season: 2023 })).toEqual([{ id: 1, season: 2023 }])
  })
})

describe('a linked _delta_log folder leading outside the root', () => {
  beforeEach(async () => {
    await storage.write('games', [{ id: 1 }], { season: 2023 })
    await rm(join(root, 'games', '_delta_log'), { recursive: true })
    // The log of the table outside (its rows: id 99).
    await symlink(join(outside, 'games', '_delta_log'), join(root, 'games', '_delta_log'))
  })

  it('is refused by readIndex, scan and schema rather than read as that table or as a plain folder', async () => {
    expect(await failureOf(storage.readIndex('games'))).toMatchObject({ code: 'PERMISSION_DENIED' })
    expect(await failureOf(scanAll(storage, 'games'))).toMatchObject({ code: 'PERMISSION_DENIED' })
    expect(await failureOf(storage.schema('games'))).toMatchObject({ code: 'PERMISSION_DENIED' })
  })

  it('is refused by a write, whose version file cannot land outside', async () => {
    expect(await failureOf(storage.write('games', [{ id: 2 }], { season: 2023 }))).toMatchObject({
      code: 'PERMISSION_DENIED',
    })
    expect(await failureOf(storage.write('games', [{ id: 2 }], { season: 2023 }, { overwrite: false }))).toMatchObject({
      code: 'PERMISSION_DENIED',
    })
  })
})

describe('links that stay inside the root', () => {
  it('work as the folders and files they point at, for reads and writes', async () => {
    await storage.write('games', [{ id: 1 }], { season: 2023 })
    await storage.writeBytes('notes/a.txt', text('hello'))
    await symlink(join(root, 'games'), join(root, 'alias'))
    await symlink(join(root, 'games', 'season=2023'), join(root, 'games', 'season=2022'))
    await symlink(join(root, 'notes', 'a.txt'), join(root, 'notes', 'b.txt'))

    // The entity linked as `alias` is the same table; the linked season=2022 folder is in no version.
    expect(await storage.readIndex('alias')).toEqual([{ id: 1, season: 2023 }])
    expect(await storage.readIndex('games')).toEqual([{ id: 1, season: 2023 }])
    expect(await storage.readIndex('games', { season: 2022 })).toEqual([])
    expect(new TextDecoder().decode(await storage.readBytes('notes/b.txt'))).toBe('hello')
    expect(await storage.exists('notes/b.txt')).toBe(true)

    await storage.write('alias', [{ id: 2 }], { season: 2025 })
    expect(await storage.readIndex('games', { season: 2025 })).toEqual([{ id: 2, season: 2025 }])
    await storage.writeBytes('alias/extra.txt', text('x'))
    expect(await storage.exists('games/extra.txt')).toBe(true)
  })

  it('work when the root itself is reached through a link', async () => {
    const real = join(sandbox, 'real-root')
    await mkdir(real)
    await symlink(real, join(sandbox, 'linked-root'))
    const linked = new LocalStorage({ root: join(sandbox, 'linked-root') })
    await linked.write('games', [{ id: 1 }], { season: 2024 })
    expect(await linked.readIndex('games')).toEqual([{ id: 1, season: 2024 }])
    expect((await readdir(join(real, 'games'))).sort()).toEqual(['_delta_log', 'season=2024'])
  })

  it('do not loop when a folder links back to an ancestor', async () => {
    await storage.write('games', [{ id: 1 }], { season: 2023 })
    await symlink(root, join(root, 'games', 'season=2023', 'loop'))
    expect(await storage.readIndex('games')).toEqual([{ id: 1, season: 2023 }])
    expect((await storage.listFiles('')).length).toBeLessThan(20)
  })
})
