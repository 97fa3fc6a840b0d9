import { lstat, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, unlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { isAbsolute, join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import type { ListEntry } from '@cfb/storage-core'
import { LocalObjectStore } from '../src/local-object-store.js'

const text = (value: string) => new TextEncoder().encode(value)
const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes)

async function collect(entries: AsyncIterable<ListEntry>): Promise<string[]> {
  const out: string[] = []
  for await (const entry of entries) out.push(entry.kind === 'object' ? entry.key : `prefix:${entry.prefix}`)
  return out
}

async function keysOf(store: LocalObjectStore, prefix = ''): Promise<string[]> {
  return collect(store.list(prefix))
}

function byteOrder(keys: string[]): string[] {
  return [...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
}

async function errorOf(promise: Promise<unknown>): Promise<{ code?: string; backend?: string; key?: string }> {
  try {
    await promise
  } catch (error) {
    return error as { code?: string }
  }
  throw new Error('expected a rejection')
}

/** Every file name below `dir`, hidden ones included. */
async function filesOnDisk(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true })
  return entries.filter((entry) => entry.isFile()).map((entry) => entry.name)
}

let sandbox: string
let root: string
let store: LocalObjectStore

beforeEach(async () => {
  sandbox = await mkdtemp(join(tmpdir(), 'cfb-local-'))
  root = join(sandbox, 'root')
  await mkdir(root)
  store = new LocalObjectStore({ root })
})

afterEach(async () => {
  await rm(sandbox, { recursive: true, force: true })
})

describe('root', () => {
  it('is absolute, and fullPath joins the key to it', () => {
    const relative = new LocalObjectStore({ root: './some/data' })
    expect(isAbsolute(relative.root())).toBe(true)
    expect(store.root()).toBe(root)
    expect(store.fullPath('games/season=2024/part-0.parquet')).toBe(join(root, 'games/season=2024/part-0.parquet'))
  })

  it('is created on first write when missing, and reads nothing before', async () => {
    const missing = new LocalObjectStore({ root: join(sandbox, 'not', 'yet') })
    expect(await keysOf(missing)).toEqual([])
    expect((await errorOf(missing.get('a.txt'))).code).toBe('NOT_FOUND')
    await missing.delete(['a.txt'])
    await missing.put('games/a.txt', text('hello'))
    expect((await stat(join(sandbox, 'not', 'yet'))).isDirectory()).toBe(true)
    expect(decode(await missing.get('games/a.txt'))).toBe('hello')
  })
})

describe('get and head', () => {
  it('round-trips bytes and reports size and mtime', async () => {
    const bytes = new Uint8Array([0, 1, 2, 255, 254])
    await store.put('a/b/c.bin', bytes)
    expect(await store.get('a/b/c.bin')).toEqual(bytes)
    const info = await store.head('a/b/c.bin')
    expect(info.key).toBe('a/b/c.bin')
    expect(info.size).toBe(5)
    expect(info.lastModified).toBeInstanceOf(Date)
  })

  it('reads byte ranges as Uint8Array.slice does', async () => {
    await store.put('r.txt', text('0123456789'))
    expect(decode(await store.get('r.txt', { start: 2, end: 5 }))).toBe('234')
    expect(decode(await store.get('r.txt', { start: 7 }))).toBe('789')
    expect(decode(await store.get('r.txt', { end: 3 }))).toBe('012')
    expect(decode(await store.get('r.txt', { start: 8, end: 100 }))).toBe('89')
    expect(decode(await store.get('r.txt', { start: -3 }))).toBe('789')
    expect((await store.get('r.txt', { start: 5, end: 5 })).length).toBe(0)
    expect((await store.get('r.txt', { start: 20 })).length).toBe(0)
  })

  it('reads a range from the middle of a large file', async () => {
    const big = new Uint8Array(3 * 1024 * 1024).map((_, i) => i % 251)
    await store.put('big.bin', big)
    const part = await store.get('big.bin', { start: 2_000_000, end: 2_000_010 })
    expect(Array.from(part)).toEqual(Array.from(big.slice(2_000_000, 2_000_010)))
  })

  it('gives back whole objects of every size, read synchronously or through the thread pool', async () => {
    for (const size of [0, 1, 64 * 1024, 64 * 1024 + 1, 200_000, 256 * 1024, 256 * 1024 + 1, 1_500_000]) {
      const bytes = new Uint8Array(size).map((_, i) => (i * 7 + size) % 256)
      await store.put(`sizes/${size}.bin`, bytes)
      expect(Buffer.compare(await store.get(`sizes/${size}.bin`), bytes)).toBe(0)
      expect(Buffer.compare(await store.get(`sizes/${size}.bin`, { start: 1 }), bytes.subarray(1))).toBe(0)
    }
  })

  it('answers NOT_FOUND with backend and key for a missing key or a folder', async () => {
    const missing = await errorOf(store.get('nope/x.txt'))
    expect(missing).toMatchObject({ code: 'NOT_FOUND', backend: 'local', key: 'nope/x.txt' })
    await store.put('dir/file.txt', text('x'))
    expect((await errorOf(store.get('dir'))).code).toBe('NOT_FOUND')
    expect((await errorOf(store.head('dir'))).code).toBe('NOT_FOUND')
    expect((await errorOf(store.head('dir/other.txt'))).code).toBe('NOT_FOUND')
    // A file where a folder is named cannot hold an object either.
    expect((await errorOf(store.get('dir/file.txt/deeper'))).code).toBe('NOT_FOUND')
  })
})

describe('the event loop', () => {
  it('a loop of awaited small gets, heads, puts and deletes lets a timer fire (each call takes a turn of the loop)', async () => {
    // Small objects are read and written synchronously; without a turn per call such a loop would
    // run on microtasks alone and starve timers, sockets and other callers.
    const store = new LocalObjectStore({ root: sandbox })
    await store.put('loop/a', text('x'))
    const calls = [() => store.get('loop/a'), () => store.head('loop/a'), () => store.put('loop/b', text('y')), () => store.delete(['loop/b'])]
    for (const call of calls) {
      let fired = false
      const timer = setTimeout(() => {
        fired = true
      }, 0)
      let turns = 0
      while (!fired && turns < 5000) {
        await call()
        turns++
      }
      clearTimeout(timer)
      expect({ fired, withinTurns: turns < 5000 }).toEqual({ fired: true, withinTurns: true })
    }
  })
})

describe('put', () => {
  it('replaces atomically: readers see whole old or whole new bytes, and no temp file remains', async () => {
    const size = 512 * 1024
    await store.put('atomic.bin', new Uint8Array(size).fill(1))
    let writing = true
    const torn: number[] = []
    const reader = (async () => {
      while (writing) {
        const bytes = await store.get('atomic.bin')
        if (bytes.length !== size || bytes.some((b) => b !== bytes[0])) torn.push(bytes.length)
      }
    })()
    for (let i = 2; i < 40; i++) await store.put('atomic.bin', new Uint8Array(size).fill(i))
    writing = false
    await reader
    expect(torn).toEqual([])
    expect(await filesOnDisk(root)).toEqual(['atomic.bin'])
  })

  it('stores the same bytes when the caller may block on it (mayBlock), in place up to 8 MiB and through the pool past it', async () => {
    for (const size of [1, 64 * 1024 + 1, 8 * 1024 * 1024, 8 * 1024 * 1024 + 1]) {
      const bytes = new Uint8Array(size).map((_, i) => (i * 13 + size) % 256)
      await store.put(`blocking/${size}.bin`, bytes, { mayBlock: true })
      expect(Buffer.compare(await store.get(`blocking/${size}.bin`), bytes)).toBe(0)
      await store.put(`blocking/${size}.once`, bytes, { mayBlock: true, ifNoneMatch: '*' })
      expect((await errorOf(store.put(`blocking/${size}.once`, text('x'), { mayBlock: true, ifNoneMatch: '*' }))).code).toBe('CONFLICT')
      expect(Buffer.compare(await store.get(`blocking/${size}.once`), bytes)).toBe(0)
    }
    expect((await filesOnDisk(root)).filter((f) => !f.endsWith('.bin') && !f.endsWith('.once'))).toEqual([])
  })

  it('never lists in-flight temp files of concurrent writers', async () => {
    const seen = new Set<string>()
    const writes = Array.from({ length: 20 }, (_, i) => store.put(`w/k${i % 4}.bin`, new Uint8Array(64 * 1024).fill(i)))
    const lists = Array.from({ length: 10 }, async () => {
      for (const key of await keysOf(store, 'w/')) seen.add(key)
    })
    await Promise.all([...writes, ...lists])
    expect([...seen].every((key) => /^w\/k[0-3]\.bin$/.test(key))).toBe(true)
    expect((await filesOnDisk(root)).sort()).toEqual(['k0.bin', 'k1.bin', 'k2.bin', 'k3.bin'])
  })

  it('with ifNoneMatch "*" creates once, then answers CONFLICT and keeps the first bytes', async () => {
    await store.put('once.txt', text('first'), { ifNoneMatch: '*' })
    const conflict = await errorOf(store.put('once.txt', text('second'), { ifNoneMatch: '*' }))
    expect(conflict).toMatchObject({ code: 'CONFLICT', backend: 'local', key: 'once.txt' })
    expect(decode(await store.get('once.txt'))).toBe('first')
    expect(await filesOnDisk(root)).toEqual(['once.txt'])
  })

  it('with ifNoneMatch "*" lets exactly one of many racing writers win', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 16 }, (_, i) => store.put('race.txt', text(`writer ${i}`), { ifNoneMatch: '*' })),
    )
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
    for (const r of results) {
      if (r.status === 'rejected') expect((r.reason as { code: string }).code).toBe('CONFLICT')
    }
    expect(await filesOnDisk(root)).toEqual(['race.txt'])
  })

  it('answers CONFLICT when a file sits where a folder is needed', async () => {
    await store.put('games', text('a file'))
    const error = await errorOf(store.put('games/season=2024/part-0.parquet', text('x')))
    expect(error).toMatchObject({ code: 'CONFLICT', backend: 'local' })
    expect(await filesOnDisk(root)).toEqual(['games'])
  })

  it('keeps names differing only in Unicode normalisation apart', async () => {
    const nfc = 'caf\u00e9.txt'
    const nfd = 'cafe\u0301.txt'
    await store.put(nfc, text('nfc'))
    await store.put(nfd, text('nfd'))
    expect(store.capabilities.distinctUnicodeNormalization).toBe(true)
    expect(decode(await store.get(nfc))).toBe('nfc')
    expect(decode(await store.get(nfd))).toBe('nfd')
    expect(await keysOf(store)).toEqual(byteOrder([nfc, nfd]))
  })
})

describe('list', () => {
  beforeEach(async () => {
    for (const key of [
      'games/season=2023/week=1/part-0.parquet',
      'games/season=2024/week=1/part-0.parquet',
      'games/season=2024/week=2/part-0.parquet',
      'games/sea.txt',
      'games/readme.txt',
      'plays/season=2024/part-0.parquet',
      'top.txt',
    ]) {
      await store.put(key, text(key))
    }
  })

  it('lists everything in byte order with size and mtime', async () => {
    const entries: ListEntry[] = []
    for await (const entry of store.list('')) entries.push(entry)
    expect(entries.map((e) => (e.kind === 'object' ? e.key : e.prefix))).toEqual(
      byteOrder(entries.map((e) => (e.kind === 'object' ? e.key : e.prefix))),
    )
    expect(entries).toHaveLength(7)
    const first = entries[0]!
    expect(first).toMatchObject({ kind: 'object', key: 'games/readme.txt', size: 'games/readme.txt'.length })
    expect(first.kind === 'object' && first.lastModified instanceof Date).toBe(true)
  })

  it('treats the prefix as a plain string, not a folder', async () => {
    expect(await keysOf(store, 'games/sea')).toEqual([
      'games/sea.txt',
      'games/season=2023/week=1/part-0.parquet',
      'games/season=2024/week=1/part-0.parquet',
      'games/season=2024/week=2/part-0.parquet',
    ])
    expect(await keysOf(store, 'gam')).toHaveLength(5)
    expect(await keysOf(store, 'games/season=2024/week=2')).toEqual(['games/season=2024/week=2/part-0.parquet'])
    // A file's own key is a prefix of itself.
    expect(await keysOf(store, 'top.txt')).toEqual(['top.txt'])
    expect(await keysOf(store, 'games/readme.txt')).toEqual(['games/readme.txt'])
    expect(await keysOf(store, 'games/season=2025')).toEqual([])
    expect(await keysOf(store, 'missing/')).toEqual([])
    // A prefix running through a file yields nothing rather than failing.
    expect(await keysOf(store, 'top.txt/x')).toEqual([])
  })

  it('groups by "/" into common prefixes relative to the prefix string, as S3 does', async () => {
    expect(await collect(store.list('', { delimiter: '/' }))).toEqual(['prefix:games/', 'prefix:plays/', 'top.txt'])
    expect(await collect(store.list('games/', { delimiter: '/' }))).toEqual([
      'games/readme.txt',
      'games/sea.txt',
      'prefix:games/season=2023/',
      'prefix:games/season=2024/',
    ])
    expect(await collect(store.list('games/sea', { delimiter: '/' }))).toEqual([
      'games/sea.txt',
      'prefix:games/season=2023/',
      'prefix:games/season=2024/',
    ])
    expect(await collect(store.list('games/season=2024/', { delimiter: '/' }))).toEqual([
      'prefix:games/season=2024/week=1/',
      'prefix:games/season=2024/week=2/',
    ])
  })

  it('groups by any other delimiter over the whole key', async () => {
    expect(await collect(store.list('games/', { delimiter: '=' }))).toEqual([
      'games/readme.txt',
      'games/sea.txt',
      'prefix:games/season=',
    ])
  })

  it('reports no empty folders and no folders holding only ignored files', async () => {
    await mkdir(join(root, 'empty/deeper'), { recursive: true })
    await mkdir(join(root, 'junk'))
    await writeFile(join(root, 'junk', '._part-0.parquet'), 'appledouble')
    expect(await collect(store.list('', { delimiter: '/' }))).toEqual(['prefix:games/', 'prefix:plays/', 'top.txt'])
    expect(await keysOf(store, 'empty')).toEqual([])
  })

  it('merges objects and prefixes in byte order ("a-b" < "a/" < "a0")', async () => {
    await store.put('mix/a/x.txt', text('1'))
    await store.put('mix/a-b', text('2'))
    await store.put('mix/a0', text('3'))
    expect(await collect(store.list('mix/', { delimiter: '/' }))).toEqual(['mix/a-b', 'prefix:mix/a/', 'mix/a0'])
    expect(await keysOf(store, 'mix/')).toEqual(['mix/a-b', 'mix/a/x.txt', 'mix/a0'])
  })

  it('with startAfter leaves out the files of the listed folder at or before it, and keeps every later key', async () => {
    const log = Array.from({ length: 12 }, (_, v) => `t/_delta_log/${String(v).padStart(20, '0')}.json`)
    for (const key of log) await store.put(key, text(key))
    expect(await collect(store.list('t/_delta_log/', { startAfter: log[8] }))).toEqual(log.slice(9))
    // A hint only: folders below are still walked whole, and nothing after it is lost.
    const after = await collect(store.list('games/', { startAfter: 'games/readme.txt' }))
    expect(after).toEqual(expect.arrayContaining(['games/sea.txt', 'games/season=2024/week=2/part-0.parquet']))
    expect(after).not.toContain('games/readme.txt')
  })

  it('never returns temp files or macOS "._" files', async () => {
    await writeFile(join(root, 'games', '.readme.txt.0123456789abcdef.tmp'), 'partial')
    await writeFile(join(root, 'games', '._readme.txt'), 'appledouble')
    await writeFile(join(root, '._top.txt'), 'appledouble')
    const keys = await keysOf(store)
    expect(keys.some((key) => key.endsWith('.tmp') || key.includes('/._') || key.startsWith('._'))).toBe(false)
    expect(keys).toHaveLength(7)
    const grouped = await collect(store.list('games/', { delimiter: '/' }))
    expect(grouped.some((key) => key.includes('._') || key.endsWith('.tmp'))).toBe(false)
  })
})

describe('list at scale with Unicode keys', () => {
  it('returns 2,500 keys completely, in UTF-8 byte order (not UTF-16 order)', async () => {
    const names = ['a', 'B', 'z', 'é', 'e\u0301', '日本', '😀', '\uFFFD', 'ä-ß', '~', '0']
    const keys: string[] = []
    for (let i = 0; keys.length < 2500; i++) {
      const name = names[i % names.length]!
      const folder = names[Math.floor(i / names.length) % names.length]!
      keys.push(`u/${folder}/${name}${i}.bin`)
    }
    await Promise.all(
      Array.from({ length: 16 }, async (_, worker) => {
        for (let i = worker; i < keys.length; i += 16) await store.put(keys[i]!, new Uint8Array([i % 256]))
      }),
    )
    const listed = await keysOf(store, 'u/')
    expect(listed).toHaveLength(2500)
    expect(listed).toEqual(byteOrder(keys))
    // UTF-16 order would put the emoji (a surrogate pair) before U+FFFD; UTF-8 puts it after.
    expect(listed.findIndex((k) => k.startsWith('u/\uFFFD/'))).toBeLessThan(listed.findIndex((k) => k.startsWith('u/😀/')))
    const folders = await collect(store.list('u/', { delimiter: '/' }))
    expect(folders).toEqual(byteOrder(names.map((n) => `u/${n}/`)).map((p) => `prefix:${p}`))
  })
})

describe('delete', () => {
  it('removes keys and the folders they leave empty, but not the root or non-empty folders', async () => {
    await store.put('games/season=2024/week=1/part-0.parquet', text('a'))
    await store.put('games/season=2024/week=2/part-0.parquet', text('b'))
    await store.delete(['games/season=2024/week=1/part-0.parquet'])
    await expect(stat(join(root, 'games/season=2024/week=1'))).rejects.toMatchObject({ code: 'ENOENT' })
    expect((await stat(join(root, 'games/season=2024/week=2'))).isDirectory()).toBe(true)
    await store.delete(['games/season=2024/week=2/part-0.parquet'])
    expect(await readdir(root)).toEqual([])
    expect((await stat(root)).isDirectory()).toBe(true)
  })

  it('accepts keys that do not exist', async () => {
    await store.put('keep.txt', text('x'))
    await store.delete(['missing.txt', 'no/such/folder/x.txt', 'keep.txt/below'])
    expect(await keysOf(store)).toEqual(['keep.txt'])
  })

  it('deletes more than 1,000 keys', async () => {
    const keys = Array.from({ length: 1500 }, (_, i) => `bulk/${i % 7}/k${i}.bin`)
    for (const key of keys) await store.put(key, new Uint8Array([1]))
    await store.put('bulk/stay.txt', text('stay'))
    await store.delete(keys)
    expect(await keysOf(store)).toEqual(['bulk/stay.txt'])
    expect(await readdir(join(root, 'bulk'))).toEqual(['stay.txt'])
  })
})

describe('root confinement', () => {
  let outside: string

  beforeEach(async () => {
    outside = join(sandbox, 'outside')
    await mkdir(outside)
    await writeFile(join(outside, 'secret.txt'), 'secret')
    await symlink(outside, join(root, 'escape'))
    await symlink(join(outside, 'secret.txt'), join(root, 'secret-link.txt'))
  })

  it('refuses to read through a link leading outside the root', async () => {
    expect(await errorOf(store.get('escape/secret.txt'))).toMatchObject({
      code: 'PERMISSION_DENIED',
      backend: 'local',
      key: 'escape/secret.txt',
    })
    expect((await errorOf(store.get('secret-link.txt'))).code).toBe('PERMISSION_DENIED')
    expect((await errorOf(store.head('secret-link.txt'))).code).toBe('PERMISSION_DENIED')
    expect((await errorOf(store.get('escape/missing/x.txt'))).code).toBe('PERMISSION_DENIED')
  })

  it('refuses to write through a link leading outside the root', async () => {
    expect((await errorOf(store.put('escape/new.txt', text('x')))).code).toBe('PERMISSION_DENIED')
    expect((await errorOf(store.put('escape/deep/new.txt', text('x')))).code).toBe('PERMISSION_DENIED')
    expect((await errorOf(store.put('secret-link.txt', text('overwritten')))).code).toBe('PERMISSION_DENIED')
    expect((await readdir(outside)).sort()).toEqual(['secret.txt'])
    expect(await readFile(join(outside, 'secret.txt'), 'utf8')).toBe('secret')
  })

  it('treats a link to nothing outside the root as no object: a put replaces the link itself, a create-only put conflicts', async () => {
    await symlink(join(outside, 'not-yet.txt'), join(root, 'dangling.txt'))
    expect((await errorOf(store.get('dangling.txt'))).code).toBe('NOT_FOUND')
    expect((await errorOf(store.head('dangling.txt'))).code).toBe('NOT_FOUND')
    expect((await errorOf(store.put('dangling.txt', text('once'), { ifNoneMatch: '*' }))).code).toBe('CONFLICT')
    await store.put('dangling.txt', text('inside'))
    expect(decode(await store.get('dangling.txt'))).toBe('inside')
    expect((await lstat(join(root, 'dangling.txt'))).isSymbolicLink()).toBe(false)
    expect((await readdir(outside)).sort()).toEqual(['secret.txt'])
  })

  it('refuses to delete through a link leading outside the root', async () => {
    expect((await errorOf(store.delete(['escape/secret.txt']))).code).toBe('PERMISSION_DENIED')
    expect(await readFile(join(outside, 'secret.txt'), 'utf8')).toBe('secret')
  })

  it('refuses to list through links leading outside the root, instead of hiding what they hold', async () => {
    await store.put('inside.txt', text('x'))
    await expect(keysOf(store)).rejects.toMatchObject({ code: 'PERMISSION_DENIED' })
    await expect(keysOf(store, 'escape/')).rejects.toMatchObject({ code: 'PERMISSION_DENIED' })
    await expect(collect(store.list('', { delimiter: '/' }))).rejects.toMatchObject({ code: 'PERMISSION_DENIED' })
    expect(await keysOf(store, 'inside')).toEqual(['inside.txt'])
  })

  it('follows links that stay inside the root, without looping', async () => {
    // Links leading out would make the whole listing refuse (as tested above): remove them here.
    await unlink(join(root, 'escape'))
    await unlink(join(root, 'secret-link.txt'))
    await store.put('real/data.txt', text('data'))
    await symlink(join(root, 'real'), join(root, 'alias'))
    await symlink(root, join(root, 'real', 'loop'))
    expect(decode(await store.get('alias/data.txt'))).toBe('data')
    const keys = await keysOf(store)
    expect(keys).toContain('alias/data.txt')
    expect(keys).toContain('real/data.txt')
    expect(keys.length).toBeLessThan(20)
  })
})
