import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { request } from 'node:http'
import { createRequire } from 'node:module'
import { type AddressInfo, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3'

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
  // moto enforces `If-None-Match: *` as S3 does (412 when the key exists).
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

/** A port nothing listens on right now. */
async function freePort(): Promise<number> {
  const probe = createServer()
  await new Promise<void>((resolve, reject) => probe.once('error', reject).listen(0, '127.0.0.1', resolve))
  const { port } = probe.address() as AddressInfo
  await new Promise<void>((resolve) => probe.close(() => resolve()))
  return port
}

/** Whether something answers HTTP at `endpoint`. */
function answers(endpoint: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(endpoint, { method: 'GET', timeout: 1_000 }, (res) => {
      res.resume()
      resolve(true)
    })
    req.on('timeout', () => req.destroy())
    req.on('error', () => resolve(false))
    req.end()
  })
}

/** How long moto may take to start answering (a cold Python start on a loaded machine). */
const MOTO_START_MS = 60_000

/**
 * moto (`moto_server`, Python): a separate process on a free port, in memory; enforces conditional
 * PUT. Stopped with SIGTERM (SIGKILL if it lingers), and killed with this process if it exits first.
 */
async function startMotoServer(): Promise<{ endpoint: string; stop(): Promise<void> }> {
  const port = await freePort()
  const endpoint = `http://127.0.0.1:${port}`
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-2_000)
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  let failure: Error | undefined
  child.once('error', (error) => {
    failure = new Error(`moto_server could not be started (is moto installed? pip install 'moto[server]'): ${error.message}`)
  })
  const killOnExit = () => child.kill('SIGKILL')
  process.once('exit', killOnExit)
  const stop = async () => {
    process.removeListener('exit', killOnExit)
    if (child.exitCode !== null || child.signalCode !== null) return
    const lingering = setTimeout(() => child.kill('SIGKILL'), 5_000)
    child.kill('SIGTERM')
    await exited
    clearTimeout(lingering)
  }
  const deadline = Date.now() + MOTO_START_MS
  for (;;) {
    if (failure) throw failure
    if (child.exitCode !== null) throw new Error(`moto_server exited with code ${child.exitCode}: ${stderr.trim()}`)
    if (await answers(endpoint)) return { endpoint, stop }
    if (Date.now() > deadline) {
      await stop()
      throw new Error(`moto_server did not answer on ${endpoint} within ${MOTO_START_MS / 1000} s: ${stderr.trim()}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

const STARTERS: Record<ServerKind, () => Promise<{ endpoint: string; stop(): Promise<void> }>> = {
  fauxqs: startFauxqsServer,
  s3rver: startS3rverServer,
  moto: startMotoServer,
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
