import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from '@jest/globals'

// The built package (tests run after the build), in a Node that refuses `new Function`.
const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url))

describe('where code generation is disallowed', () => {
  it('writes read records the general way and store the same rows, read back with their partition value last', () => {
    const script = `
      const { MemoryStorage } = await import(${JSON.stringify(dist)})
      const s = new MemoryStorage()
      const rows = Array.from({ length: 300 }, (_, i) => ({ id: i, team: i % 3 ? 'Navy' : null, ppa: i / 7, at: new Date(i * 1000), ok: i % 2 === 0 }))
      await s.write('games', rows, { season: 2024 })
      const back = await s.readIndex('games')
      process.stdout.write(JSON.stringify({ same: JSON.stringify(back) === JSON.stringify(rows.map((r) => ({ ...r, season: 2024 }))), n: back.length, codegen: (() => { try { new Function(''); return true } catch { return false } })() }))
    `
    const out = execFileSync(process.execPath, ['--disallow-code-generation-from-strings', '--input-type=module', '-e', script], {
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: '' },
    })
    expect(JSON.parse(out)).toEqual({ same: true, n: 300, codegen: false })
  })

  it('decodeCsv makes the same rows', () => {
    const script = `
      const { decodeCsv } = await import(${JSON.stringify(dist)})
      const rows = decodeCsv(new TextEncoder().encode('id,team,ppa\\n1,Navy,0.5\\n2,,1.25\\n'))
      process.stdout.write(JSON.stringify(rows))
    `
    const out = execFileSync(process.execPath, ['--disallow-code-generation-from-strings', '--input-type=module', '-e', script], {
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: '' },
    })
    expect(JSON.parse(out)).toEqual([
      { id: 1, team: 'Navy', ppa: 0.5 },
      { id: 2, team: null, ppa: 1.25 },
    ])
  })
})
