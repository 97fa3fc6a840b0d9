import { describe, expect, it } from '@jest/globals'
import { parseActions } from '../src/table/actions.js'

// Commit files are read a line at a time; the lines must be the ones decoding the whole file as
// UTF-8 and splitting it at newlines gives.

const encode = (text: string) => new TextEncoder().encode(text)
const protocol = '{"protocol":{"minReaderVersion":1,"minWriterVersion":2}}'
const add = (path: string) =>
  JSON.stringify({ add: { path, partitionValues: {}, size: 1, modificationTime: 0, dataChange: true } })

describe('parseActions', () => {
  it('reads each line, whatever its characters, with or without a byte order mark or carriage returns', () => {
    const paths = ['season=2024/part-0.parquet', 'team=Montr%C3%A9al/part-1.parquet', 'x=%F0%9F%8F%88/part-é🏈.parquet']
    const text = [protocol, ...paths.map(add)].join('\r\n')
    for (const bytes of [encode(text), encode(`\ufeff${text}\n\n`), new Uint8Array([0xef, 0xbb, 0xbf, ...encode(`${text}\n`)])]) {
      const actions = parseActions(bytes, 'k')
      expect(actions[0]).toEqual({ protocol: { minReaderVersion: 1, minWriterVersion: 2 } })
      expect(actions.slice(1).map((a) => ('add' in a ? a.add.path : undefined))).toEqual(paths)
    }
  })

  it('reads malformed UTF-8 as U+FFFD, as a whole-file decoding does', () => {
    const bad = new Uint8Array([...encode(`${protocol}\n{"commitInfo":{"timestamp":1,"operation":"W`), 0xe2, 0x82, ...encode('","operationParameters":{}}}\n')])
    const [, commit] = parseActions(bad, 'k')
    const whole = JSON.parse(new TextDecoder().decode(bad).split('\n')[1]!)
    expect(commit).toEqual(whole)
    expect(commit).toMatchObject({ commitInfo: { operation: 'W\ufffd' } })
  })

  it('names the line that is not JSON, counting blank lines', () => {
    expect(() => parseActions(encode(`${protocol}\n\n{oops\n`), 'v.json')).toThrow('line 3 of v.json is not JSON')
    expect(() => parseActions(encode(`${protocol}\n{"add":{"path":"/etc/passwd"}}`), 'v.json')).toThrow('line 2 of v.json is not a valid Delta action')
  })

  it('refuses a file of blank lines as empty', () => {
    for (const text of ['', '\n', ' \n\r\n', '\ufeff']) {
      expect(() => parseActions(encode(text), 'v.json')).toThrow('v.json is empty')
    }
  })

  it('takes data file paths inside the table only, escaped or not', () => {
    const accepts = (path: string) => {
      try {
        parseActions(encode(`${protocol}\n${add(path)}\n`), 'v.json')
        return true
      } catch {
        return false
      }
    }
    const inside = ['part-0.parquet', 'season=2024/week=1/part-0.parquet', '.hidden/x', 'a./b..', '...', 'team=Montr%C3%A9al/p', 'a%25b/c']
    const outside = ['', '/etc/passwd', 's3://bucket/x', 'file:x', 'C:x', '../x', 'a/../x', 'a/..', './x', 'a/./b', 'a//b', 'a/', 'a\\b', '%2E%2E/x', 'a/%2e', 'a%2Fb', 'x=%2E%2E%2Fy/p', 'a%5Cb', 'a/%', 'a%zz']
    expect(inside.filter((path) => !accepts(path))).toEqual([])
    expect(outside.filter((path) => accepts(path))).toEqual([])
  })
})
