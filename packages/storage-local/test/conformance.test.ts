import { mkdtempSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll } from '@jest/globals'
import { describeConformance } from '@cfb/storage-core/conformance'
import { LocalStorage } from '../src/index.js'

// A fresh root per test, all removed at the end (a run makes a few hundred).
const roots: string[] = []
afterAll(async () => {
  await Promise.all(roots.map((root) => rm(root, { recursive: true, force: true })))
})

describeConformance('local', () => {
  const root = mkdtempSync(join(tmpdir(), 'cfb-local-'))
  roots.push(root)
  return new LocalStorage({ root })
})
