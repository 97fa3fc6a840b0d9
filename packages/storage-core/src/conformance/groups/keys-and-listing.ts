import { describe, expect, it } from '@jest/globals'
import type { ConformanceGroup } from '../context.js'
import { itWhen } from '../gate.js'
import { fromUtf8, utf8, utf8Sorted, writeKeys } from '../harness.js'

/** Names that trip URL encoding, signing or shell quoting somewhere between a client and a store. */
const SPECIAL_NAMES = [
  'with space.txt',
  'a=b.txt',
  '100%.txt',
  'pct%2Fslash.txt',
  'a+b.txt',
  'café.txt',
  '日本.txt',
  '😀.txt',
  "amp&hash#at@comma,paren(1)~tilde'quote.txt",
  'semi;colon$dollar!.txt',
]

export const keysAndListing: ConformanceGroup = (ctx) => {
  describe('keys and listing', () => {
    it('lists by plain string prefix, not only at folder boundaries', async () => {
      const storage = await ctx.create()
      await writeKeys(storage, ['a/b1.txt', 'a/b2/c.txt', 'a/c.txt', 'ab.txt', 'b.txt'])
      expect(await storage.listFiles('a/b')).toEqual(['a/b1.txt', 'a/b2/c.txt'])
      expect(await storage.listFiles('a')).toEqual(['a/b1.txt', 'a/b2/c.txt', 'a/c.txt', 'ab.txt'])
      expect(await storage.listFiles('a/')).toEqual(['a/b1.txt', 'a/b2/c.txt', 'a/c.txt'])
    })

    it('lists a file by its own path, and longer keys sharing it as a prefix', async () => {
      const storage = await ctx.create()
      await writeKeys(storage, ['dir/file.txt', 'dir/file.txt.bak', 'dir/other.txt'])
      expect(await storage.listFiles('dir/file.txt')).toEqual(['dir/file.txt', 'dir/file.txt.bak'])
      expect(await storage.listFiles('dir/file.txt.bak')).toEqual(['dir/file.txt.bak'])
    })

    it('returns an empty list for a prefix nothing starts with', async () => {
      const storage = await ctx.create()
      await writeKeys(storage, ['x/y.txt'])
      expect(await storage.listFiles('nothing/')).toEqual([])
      expect(await storage.listFiles('x/z')).toEqual([])
    })

    it('returns every key of a listing that spans several pages (2,500 keys)', async () => {
      const storage = await ctx.create()
      const keys = Array.from({ length: 2_500 }, (_, i) => `many/${i}.bin`)
      await writeKeys(storage, keys)
      const listed = await storage.listFiles('many/')
      expect(listed).toHaveLength(2_500)
      expect(listed).toEqual([...keys].sort())
      expect(await storage.listFiles('many/24')).toHaveLength(1 + 10 + 100)
      // 2,500 PUTs take s3rver about 30 s alone and over 60 s beside the other suites on 2 cores.
    }, 300_000)

    it('lists keys in lexical order', async () => {
      const storage = await ctx.create()
      const keys = ['o/b', 'o/a/z', 'o/A', 'o/10', 'o/9', 'o/a-b', 'o/a.b', 'o/a_b', 'o/a0', 'o/~']
      await writeKeys(storage, keys)
      // Across folders too: 'o/a-b' and 'o/a.b' sort before 'o/a/z', 'o/a0' after it.
      expect(await storage.listFiles('o/')).toEqual([
        'o/10',
        'o/9',
        'o/A',
        'o/a-b',
        'o/a.b',
        'o/a/z',
        'o/a0',
        'o/a_b',
        'o/b',
        'o/~',
      ])
    })

    it('orders non-ASCII keys by their UTF-8 bytes, as S3 lists them', async () => {
      const storage = await ctx.create()
      // U+FF5A sorts before U+1F600 by UTF-8 bytes but after it by UTF-16 code units.
      const keys = ['u/\uff5a', 'u/\u{1f600}', 'u/\u00e9', 'u/z', 'u/\u65e5']
      await writeKeys(storage, keys)
      expect(await storage.listFiles('u/')).toEqual(['u/z', 'u/\u00e9', 'u/\u65e5', 'u/\uff5a', 'u/\u{1f600}'])
    })

    it('stores, lists and reads keys with spaces, =, %, +, accents, CJK and emoji', async () => {
      const storage = await ctx.create()
      const keys = SPECIAL_NAMES.map((name) => `special/${name}`)
      await writeKeys(storage, keys, (key) => utf8(key))
      expect(await storage.listFiles('special/')).toEqual(utf8Sorted(keys))
      for (const key of keys) {
        expect(await storage.exists(key)).toBe(true)
        expect(fromUtf8(await storage.readBytes(key))).toBe(key)
      }
      // '%2F' in a name is three characters, never a slash.
      expect(await storage.exists('special/pct/slash.txt')).toBe(false)
      expect(await storage.listFiles('special/pct%2F')).toEqual(['special/pct%2Fslash.txt'])
      expect(await storage.listFiles('special/日')).toEqual(['special/日本.txt'])
    })

    itWhen(ctx, 'distinctUnicodeNormalization')(
      'keeps keys that differ only in Unicode normalisation apart',
      async () => {
        const storage = await ctx.create()
        const nfc = 'norm/caf\u00e9.txt'
        const nfd = 'norm/cafe\u0301.txt'
        await storage.writeBytes(nfc, utf8('nfc'))
        await storage.writeBytes(nfd, utf8('nfd'))
        expect(await storage.listFiles('norm/')).toEqual(utf8Sorted([nfc, nfd]))
        expect(fromUtf8(await storage.readBytes(nfc))).toBe('nfc')
        expect(fromUtf8(await storage.readBytes(nfd))).toBe('nfd')
      },
    )

    it('stores, lists and reads 0-byte objects', async () => {
      const storage = await ctx.create()
      await storage.writeBytes('empty/zero.bin', new Uint8Array(0))
      expect(await storage.exists('empty/zero.bin')).toBe(true)
      expect(await storage.listFiles('empty/')).toEqual(['empty/zero.bin'])
      const bytes = await storage.readBytes('empty/zero.bin')
      expect(bytes).toBeInstanceOf(Uint8Array)
      expect(bytes.byteLength).toBe(0)
    })

    it('lists keys relative to the root, the whole store for an empty or missing prefix', async () => {
      const storage = await ctx.create()
      await writeKeys(storage, ['rel/x.bin', 'top.bin'])
      const all = await storage.listFiles()
      expect(all).toEqual(['rel/x.bin', 'top.bin'])
      expect(await storage.listFiles('')).toEqual(all)
      for (const key of all) {
        expect(key.startsWith('/')).toBe(false)
        expect(storage.getFullPath(key)).not.toBe(key)
      }
    })

    it('reports whether a key exists; a folder-like prefix is not an object', async () => {
      const storage = await ctx.create()
      expect(await storage.exists('dir/file.txt')).toBe(false)
      await storage.writeBytes('dir/file.txt', utf8('x'))
      expect(await storage.exists('dir/file.txt')).toBe(true)
      expect(await storage.exists('dir/file')).toBe(false)
      expect(await storage.exists('dir')).toBe(false)
      await storage.delete('dir/file.txt')
      expect(await storage.exists('dir/file.txt')).toBe(false)
    })
  })
}
