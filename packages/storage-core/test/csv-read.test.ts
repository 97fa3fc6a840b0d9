import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from '@jest/globals'
import { decodeCsv } from '../src/codecs/csv.js'

const utf8 = (text: string) => new TextEncoder().encode(text)
const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url))

describe('CSV reads', () => {
  it('reads naive timestamps as UTC whatever the machine time zone', () => {
    // A child per zone: the process zone is fixed at start. The built package, as tests run after the build.
    const script = `
      const { decodeCsv } = await import(${JSON.stringify(dist)})
      const rows = decodeCsv(new TextEncoder().encode('at\\n2024-09-01 12:00:00\\n2024-01-15T08:30:00.250\\n2024-09-01T12:00:00+02:00\\n'), { columns: [{ name: 'at', type: 'timestamp' }] })
      process.stdout.write(JSON.stringify({ zone: Intl.DateTimeFormat().resolvedOptions().timeZone, at: rows.map((r) => r.at.toISOString()) }))
    `
    const read = (TZ: string) =>
      JSON.parse(
        execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, TZ, NODE_OPTIONS: '' } }),
      )
    const expected = ['2024-09-01T12:00:00.000Z', '2024-01-15T08:30:00.250Z', '2024-09-01T10:00:00.000Z']
    expect(read('America/Chicago')).toEqual({ zone: 'America/Chicago', at: expected })
    expect(read('UTC')).toEqual({ zone: 'UTC', at: expected })
  })

  it('does not take "1" (or other non-ISO text) for a timestamp', () => {
    const schema = { columns: [{ name: 'at', type: 'timestamp' as const }] }
    for (const text of ['1', '2024', 'Sep 1 2024', '2024-02-30']) {
      expect(() => decodeCsv(utf8(`at\n${text}\n`), schema, 'x.csv')).toThrow(expect.objectContaining({ code: 'CORRUPT_DATA' }))
    }
  })

  it('makes a __proto__ header an own property of the row, never its prototype', () => {
    const [row] = decodeCsv(utf8('__proto__,id\n7,1\n'))
    expect(Object.getPrototypeOf(row)).toBe(Object.prototype)
    expect(Object.getOwnPropertyDescriptor(row, '__proto__')?.value).toBe(7)
    expect(Object.keys(row!)).toEqual(['__proto__', 'id'])
  })

  it('makes plain rows of any header text: quotes, backslashes, text that reads as code, names of Object.prototype', () => {
    const names = ['a"b', 'c\\d', '"]=1;globalThis.hacked=1;this["', 'constructor', 'toString', '1', 'é\u2028x', 'hasOwnProperty']
    const header = names.map((n) => `"${n.replaceAll('"', '""')}"`).join(',')
    const rows = decodeCsv(utf8(`${header}\n${names.map((_, i) => i).join(',')}\n${names.map((_, i) => i * 10).join(',')}\n`))
    expect((globalThis as Record<string, unknown>).hacked).toBeUndefined()
    expect(rows).toHaveLength(2)
    for (const [r, row] of rows.entries()) {
      expect(Object.getPrototypeOf(row)).toBe(Object.prototype)
      // Integer-like names come first in any object, as JSON.parse would order them.
      expect(Object.keys(row!)).toEqual(['1', ...names.filter((n) => n !== '1')])
      for (const [i, name] of names.entries()) expect(Object.getOwnPropertyDescriptor(row, name)?.value).toBe(i * (r === 0 ? 1 : 10))
    }
  })

  it('refuses a header that names a column twice, naming it', () => {
    expect(() => decodeCsv(utf8('id,id,name\n1,2,a\n'), undefined, 'dup.csv')).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('"id"') }),
    )
  })
})
