import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { inspect } from 'node:util'
import { getStorage, type StorageBackend } from '@cfb/storage-core'
import { type RecordingProxy, startRecordingProxy } from '@cfb/test-servers'
import { createStorage, envFlag, s3OptionsFromEnv } from '../src/index.js'
import { BUCKET, useS3Server } from './support/s3-server.js'

const SECRET = 'SECRET-do-not-print-7f3a'
const ACCESS_KEY = 'AKIDFROMENV7F3A'

const s3 = useS3Server('fauxqs')
let proxy: RecordingProxy
const open: StorageBackend[] = []
beforeAll(async () => {
  proxy = await startRecordingProxy(s3.server.endpoint)
})
afterAll(async () => {
  // getStorage hands back the built package's class: close it by duck type.
  for (const storage of open) (storage as { close?: () => void }).close?.()
  await proxy.stop()
})

/** Everything an error could show a user or a log. */
function shown(error: unknown): string {
  const e = error as Error
  return [e.message, String(e.stack), JSON.stringify(e), String(e.cause), inspect(e, { depth: 8 })].join('\n')
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection')
    },
    (e: unknown) => e,
  )
}

const header = (value: string | string[] | undefined) => (Array.isArray(value) ? value.join(',') : (value ?? ''))

describe('s3OptionsFromEnv', () => {
  it('names a missing CFB_S3_BUCKET with CONFIG, and prints no value', () => {
    let error: unknown
    try {
      s3OptionsFromEnv({ CFB_S3_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: ACCESS_KEY, AWS_SECRET_ACCESS_KEY: SECRET })
    } catch (e) {
      error = e
    }
    expect(error).toMatchObject({ name: 'StorageError', code: 'CONFIG' })
    expect((error as Error).message).toContain('CFB_S3_BUCKET')
    expect(shown(error)).not.toContain(SECRET)
    expect(shown(error)).not.toContain('eu-west-1')
  })

  it('treats a blank bucket as missing', () => {
    expect(() => s3OptionsFromEnv({ CFB_S3_BUCKET: '  ' })).toThrow(expect.objectContaining({ code: 'CONFIG' }))
  })

  it('defaults the region to us-east-1 and leaves credentials to the SDK chain when unset', async () => {
    const options = s3OptionsFromEnv({ CFB_S3_BUCKET: 'b' })
    expect(options).toMatchObject({ bucket: 'b', region: 'us-east-1', credentials: undefined, prefix: undefined })
    const storage = createStorage({ CFB_S3_BUCKET: 'b' })
    expect(await storage.store.client.config.region()).toBe('us-east-1')
    storage.close()
    expect(s3OptionsFromEnv({ CFB_S3_BUCKET: 'b', CFB_S3_REGION: 'eu-central-1' }).region).toBe('eu-central-1')
  })

  it.each([
    ['true', true],
    ['TRUE', true],
    [' 1 ', true],
    ['yes', true],
    ['on', true],
    ['false', false],
    ['0', false],
    ['no', false],
    ['off', false],
    ['', undefined],
    [undefined, undefined],
  ])('CFB_S3_FORCE_PATH_STYLE=%p → %p', (value, expected) => {
    expect(envFlag(value)).toBe(expected)
    expect(s3OptionsFromEnv({ CFB_S3_BUCKET: 'b', CFB_S3_FORCE_PATH_STYLE: value }).forcePathStyle).toBe(expected)
  })

  it('refuses a CFB_S3_FORCE_PATH_STYLE it cannot read instead of reading it as false', () => {
    expect(() => s3OptionsFromEnv({ CFB_S3_BUCKET: 'b', CFB_S3_FORCE_PATH_STYLE: 'ture' })).toThrow(
      expect.objectContaining({ code: 'CONFIG', message: expect.stringContaining('CFB_S3_FORCE_PATH_STYLE') }),
    )
  })

  it('names the missing half of an AWS key pair instead of falling back to the default chain', () => {
    const secret = 'half-pair-secret-91c2'
    let error: unknown
    try {
      s3OptionsFromEnv({ CFB_S3_BUCKET: 'b', AWS_SECRET_ACCESS_KEY: secret })
    } catch (e) {
      error = e
    }
    expect(error).toMatchObject({ code: 'CONFIG', message: expect.stringContaining('AWS_ACCESS_KEY_ID') })
    expect(JSON.stringify(error) + String((error as Error).message)).not.toContain(secret)
  })

  it('applies CFB_S3_PREFIX to every path', () => {
    const storage = createStorage({ CFB_S3_BUCKET: 'lake', CFB_S3_PREFIX: '/team/cfb/' })
    expect(storage.getFullPath('plays/season=2024/part-0.parquet')).toBe('s3://lake/team/cfb/plays/season=2024/part-0.parquet')
    expect(storage.root()).toBe('s3://lake/team/cfb/')
    storage.close()
    const bare = createStorage({ CFB_S3_BUCKET: 'lake' })
    expect(bare.getFullPath('games/x.csv')).toBe('s3://lake/games/x.csv')
    bare.close()
  })
})

describe('getStorage({ CFB_STORAGE_BACKEND: "s3" })', () => {
  const env = () => ({
    CFB_STORAGE_BACKEND: 's3',
    CFB_S3_BUCKET: BUCKET,
    CFB_S3_ENDPOINT: proxy.endpoint,
    CFB_S3_FORCE_PATH_STYLE: 'true',
    CFB_S3_PREFIX: 'from-env',
    AWS_ACCESS_KEY_ID: ACCESS_KEY,
    AWS_SECRET_ACCESS_KEY: SECRET,
    AWS_SESSION_TOKEN: 'session-token-7f3a',
  })

  async function fromEnv(values: Record<string, string | undefined>): Promise<StorageBackend> {
    const storage = await getStorage(values)
    open.push(storage)
    return storage
  }

  it('fails with CONFIG naming CFB_S3_BUCKET when it is missing', async () => {
    const error = await rejection(getStorage({ ...env(), CFB_S3_BUCKET: undefined }))
    expect(error).toMatchObject({ code: 'CONFIG' })
    expect((error as Error).message).toContain('CFB_S3_BUCKET')
    expect(shown(error)).not.toContain(SECRET)
  })

  it('writes to the server with the AWS_* credentials of the env object, not of process.env', async () => {
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY }
    process.env.AWS_ACCESS_KEY_ID = 'AKIDPROCESSENV'
    process.env.AWS_SECRET_ACCESS_KEY = 'process-env-secret'
    try {
      const storage = await fromEnv(env())
      expect(storage.name).toBe('s3')
      expect(storage.getFullPath('games/a.bin')).toBe(`s3://${BUCKET}/from-env/games/a.bin`)
      proxy.reset()
      await storage.writeBytes('games/a.bin', new Uint8Array([7, 7, 7]))
      const [put] = proxy.requests
      expect(put).toMatchObject({ method: 'PUT', url: expect.stringMatching(`^/${BUCKET}/from-env/games/a.bin`) })
      // SigV4: the access key and the default region are in the credential scope.
      expect(header(put!.headers.authorization)).toMatch(new RegExp(`Credential=${ACCESS_KEY}/\\d{8}/us-east-1/s3/aws4_request`))
      expect(header(put!.headers['x-amz-security-token'])).toBe('session-token-7f3a')
      expect(JSON.stringify(put!.headers)).not.toContain(SECRET)
    } finally {
      restore('AWS_ACCESS_KEY_ID', saved.id)
      restore('AWS_SECRET_ACCESS_KEY', saved.secret)
    }
    // What the env-built backend wrote is where a direct client finds it.
    const direct = s3.storage({ prefix: 'from-env' })
    expect(await direct.readBytes('games/a.bin')).toEqual(new Uint8Array([7, 7, 7]))
  })

  it('signs for CFB_S3_REGION when it is set', async () => {
    const storage = await fromEnv({ ...env(), CFB_S3_REGION: 'eu-west-2' })
    proxy.reset()
    await storage.writeBytes('games/b.bin', new Uint8Array([1]))
    expect(header(proxy.requests[0]!.headers.authorization)).toContain(`/eu-west-2/s3/aws4_request`)
  })

  it('keeps the secret out of the errors of an env-built backend', async () => {
    const storage = await fromEnv(env())
    const missing = await rejection(storage.readBytes('games/missing.bin'))
    expect(missing).toMatchObject({ code: 'NOT_FOUND', backend: 's3' })
    expect((missing as Error).message).toContain(`s3://${BUCKET}/from-env/games/missing.bin`)
    const noBucket = await fromEnv({ ...env(), CFB_S3_BUCKET: 'not-a-bucket' })
    const config = await rejection(noBucket.listFiles('games/'))
    expect(config).toMatchObject({ code: 'CONFIG', backend: 's3' })
    for (const error of [missing, config]) expect(shown(error)).not.toContain(SECRET)
  })
})

function restore(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name]
  else process.env[name] = value
}
