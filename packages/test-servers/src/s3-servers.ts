import { mkdtemp, rm } from 'node:fs/promises'
import { createRequire } from 'node:module'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3'
import { startMotoProcess } from './moto-server.js'

export type ServerKind = 'fauxqs' | 's3rver' | 'moto'

/** Where a departure from S3 is recorded, so the suite gates on it instead of weakening for all. */
export interface ServerQuirks {
  conditionalPut: boolean
  delimiterListing: boolean
  rangedReadOfEmptyObject: boolean
  /**
   * Listings come in UTF-8 byte order, as S3's do. fauxqs sorts with `localeCompare` (and pages by
   * UTF-16 comparison), s3rver walks its folders: the suite then checks every key comes once.
   */
  utf8ListingOrder: boolean
}

export interface S3TestServer {
  kind: ServerKind
  endpoint: string
  region: string
  credentials: { accessKeyId: string; secretAccessKey: string }
  quirks: ServerQuirks
  createBucket(name: string): Promise<void>
  stop(): Promise<void>
}

/** What each server departs from S3 in, known before it starts (the suite gates at registration). */
export const SERVER_QUIRKS: Record<ServerKind, ServerQuirks> = {
  fauxqs: { conditionalPut: false, delimiterListing: true, rangedReadOfEmptyObject: true, utf8ListingOrder: false },
  s3rver: { conditionalPut: false, delimiterListing: false, rangedReadOfEmptyObject: false, utf8ListingOrder: false },
  // moto is a real S3 implementation: it enforces `If-None-Match: *` (412 when the key exists).
  moto: { conditionalPut: true, delimiterListing: true, rangedReadOfEmptyObject: true, utf8ListingOrder: true },
}

const FAKE_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }

/** fauxqs: in-memory, handles delimiter listings; no conditional PUT. */
async function startFauxqsServer(): Promise<{ endpoint: string; stop(): Promise<void> }> {
  const { buildApp } = await import('fauxqs')
  const app = buildApp({ logger: false })
  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  return { endpoint: address, stop: () => app.close() }
}

/** s3rver: on disk; needs the legacy OpenSSL provider (DES continuation tokens). */
async function startS3rverServer(): Promise<{ endpoint: string; stop(): Promise<void> }> {
  if (!process.execArgv.includes('--openssl-legacy-provider') && !process.env.NODE_OPTIONS?.includes('--openssl-legacy-provider')) {
    throw new Error('s3rver needs NODE_OPTIONS=--openssl-legacy-provider')
  }
  const S3rver = createRequire(import.meta.url)('s3rver')
  const directory = await mkdtemp(join(tmpdir(), 's3rver-'))
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory })
  const info = (await server.run()) as AddressInfo
  return {
    endpoint: `http://127.0.0.1:${info.port}`,
    stop: async () => {
      await server.close()
      await rm(directory, { recursive: true, force: true })
    },
  }
}

const STARTERS: Record<ServerKind, () => Promise<{ endpoint: string; stop(): Promise<void> }>> = {
  fauxqs: startFauxqsServer,
  s3rver: startS3rverServer,
  // One request at a time: see moto-server.ts.
  moto: startMotoProcess,
}

/** Starts an S3-compatible server on 127.0.0.1 on a free port. */
export async function startS3Server(kind: ServerKind): Promise<S3TestServer> {
  const started = await STARTERS[kind]()
  const region = 'us-east-1'
  return {
    kind,
    endpoint: started.endpoint,
    region,
    credentials: FAKE_CREDENTIALS,
    quirks: SERVER_QUIRKS[kind],
    async createBucket(name: string) {
      const client = new S3Client({ endpoint: started.endpoint, region, forcePathStyle: true, credentials: FAKE_CREDENTIALS })
      try {
        await client.send(new CreateBucketCommand({ Bucket: name }))
      } finally {
        client.destroy()
      }
    },
    stop: started.stop,
  }
}
