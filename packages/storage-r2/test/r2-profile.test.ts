import { describe, expect, it } from '@jest/globals'
import { createHash } from 'node:crypto'
import { getStorage } from '@cfb/storage-core'
import { createStorage, r2Endpoint, r2OptionsFromEnv, r2Profile } from '../src/index.js'
import { BUCKET, useR2Server } from './support/r2-server.js'

const r2 = useR2Server('fauxqs', { recording: true })

const header = (value: string | string[] | undefined) => (Array.isArray(value) ? value.join(',') : value)

describe('R2 endpoint and configuration', () => {
  it('builds the account endpoint, with a jurisdiction when given', () => {
    expect(r2Endpoint('abc123')).toBe('https://abc123.r2.cloudflarestorage.com')
    expect(r2Endpoint('abc123', 'eu')).toBe('https://abc123.eu.r2.cloudflarestorage.com')
    expect(r2Endpoint('abc123', 'fedramp')).toBe('https://abc123.fedramp.r2.cloudflarestorage.com')
    expect(() => r2Endpoint('abc123', 'mars')).toThrow(expect.objectContaining({ code: 'CONFIG' }))
  })

  it('names every missing variable and prints no value', () => {
    const secret = 'sk-very-secret-4f7a9c'
    let error: unknown
    try {
      r2OptionsFromEnv({ CFB_R2_SECRET_KEY: secret })
    } catch (e) {
      error = e
    }
    expect(error).toMatchObject({ code: 'CONFIG' })
    const message = (error as Error).message
    for (const name of ['CFB_R2_BUCKET', 'CFB_R2_ACCOUNT_ID', 'CFB_R2_ACCESS_KEY']) expect(message).toContain(name)
    expect(message).not.toContain('CFB_R2_SECRET_KEY')
    expect(JSON.stringify(error)).not.toContain(secret)
    expect(String((error as Error).stack)).not.toContain(secret)
  })

  it('refuses a prefix that is not NFC, since R2 would merge it with its NFC form', () => {
    expect(() => r2Profile({ bucket: 'b', accountId: 'abc', accessKeyId: 'a', secretAccessKey: 's', prefix: 'cafe\u0301' })).toThrow(
      expect.objectContaining({ code: 'CONFIG' }),
    )
  })

  it('is what getStorage() builds for CFB_STORAGE_BACKEND=r2', async () => {
    const env = {
      CFB_STORAGE_BACKEND: 'r2',
      CFB_R2_BUCKET: BUCKET,
      CFB_R2_ACCOUNT_ID: 'abc123',
      CFB_R2_ACCESS_KEY: 'AKIDEXAMPLE',
      CFB_R2_SECRET_KEY: 'secret',
      CFB_R2_PREFIX: 'pipeline',
    }
    const storage = await getStorage(env)
    expect(storage.name).toBe('r2')
    expect(storage.getFullPath('games/x.parquet')).toBe(`s3://${BUCKET}/pipeline/games/x.parquet`)
    expect(createStorage(env).root()).toBe(`s3://${BUCKET}/pipeline/`)
  })
})

describe('R2 requests', () => {
  it('sends no CRC32 checksum headers, no ACL or tagging, and Content-MD5 on DeleteObjects', async () => {
    const storage = r2.storage({ endpoint: r2.proxy.endpoint })
    r2.proxy.reset()
    await storage.write('games', [{ game_id: 1, home: 'Texas' }], { season: 2024, week: 1 })
    await storage.write('games', [{ game_id: 2, home: 'Oregon' }], { season: 2024, week: 1 })
    await storage.delete(['games/missing-1', 'games/missing-2'])
    expect(await storage.readIndex('games')).toEqual([{ game_id: 2, home: 'Oregon', season: 2024, week: 1 }])
    const requests = r2.proxy.requests
    const deletes = requests.filter((r) => r.method === 'POST' && r.url.includes('delete'))
    expect(deletes.length).toBeGreaterThanOrEqual(2) // the overwrite's cleanup and the explicit delete
    for (const request of requests) {
      const names = Object.keys(request.headers)
      expect(names.filter((n) => n.startsWith('x-amz-checksum-') || n === 'x-amz-sdk-checksum-algorithm')).toEqual([])
      expect(names.filter((n) => n === 'x-amz-acl' || n === 'x-amz-tagging')).toEqual([])
    }
    for (const request of deletes) expect(header(request.headers['content-md5'])).toMatch(/^[A-Za-z0-9+/]{22}==$/)
  })

  it('deletes in batches of at most 700 keys', async () => {
    const storage = r2.storage({ endpoint: r2.proxy.endpoint })
    const keys = Array.from({ length: 1500 }, (_, i) => `bulk/${String(i).padStart(4, '0')}`)
    await Promise.all(keys.slice(0, 20).map((k) => storage.writeBytes(k, new Uint8Array([1]))))
    r2.proxy.reset()
    await storage.delete(keys)
    const deletes = r2.proxy.requests.filter((r) => r.method === 'POST' && r.url.includes('delete'))
    expect(deletes).toHaveLength(3)
    expect(await storage.listFiles('bulk/')).toEqual([])
  })

  it('checks Content-MD5 against the body R2 receives', async () => {
    // The MD5 middleware must hash the exact bytes sent, or R2 answers BadDigest.
    const storage = r2.storage({ endpoint: r2.proxy.endpoint })
    await storage.writeBytes('md5/a', new Uint8Array([1]))
    r2.proxy.reset()
    await storage.delete(['md5/a'])
    const [request] = r2.proxy.requests.filter((r) => r.method === 'POST')
    expect(request?.bodyBytes).toBeGreaterThan(0)
    expect(header(request!.headers['content-md5'])).toHaveLength(24)
    expect(createHash('md5').update('').digest('base64')).toHaveLength(24)
  })
})

describe('R2 key normalisation', () => {
  it('refuses keys that are not NFC instead of letting R2 merge them with their NFC form', async () => {
    const storage = r2.storage()
    const nfc = 'norm/caf\u00e9.txt'
    const nfd = 'norm/cafe\u0301.txt'
    await storage.writeBytes(nfc, new Uint8Array([1]))
    await expect(storage.writeBytes(nfd, new Uint8Array([2]))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', backend: 'r2' })
    await expect(storage.readBytes(nfd)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
    expect(await storage.listFiles('norm/')).toEqual([nfc])
    expect(await storage.readBytes(nfc)).toEqual(new Uint8Array([1]))
  })

  it('keeps partition values in any normalisation apart: they are percent-encoded ASCII', async () => {
    const storage = r2.storage()
    await storage.write('teams', [{ n: 1 }], { name: 'Caf\u00e9' })
    await storage.write('teams', [{ n: 2 }], { name: 'Cafe\u0301' })
    const rows = await storage.readIndex('teams')
    expect(rows.map((r) => r.n).sort()).toEqual([1, 2])
  })
})
