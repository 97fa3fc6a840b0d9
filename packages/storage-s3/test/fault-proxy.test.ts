import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { request } from 'node:http'
import { type FaultProxyOptions, startFaultProxy } from '@cfb/test-servers'
import { type FakeS3, startFakeS3 } from './support/fake-s3.js'

// The fault proxy itself: what a client sees for each kind, the same faults for the same seed,
// and nothing left hanging on stop().

const BODY = 'x'.repeat(1_000)
let target: FakeS3
beforeAll(async () => {
  target = await startFakeS3((_, response) => {
    response.writeHead(200, { 'content-length': String(BODY.length) })
    response.end(BODY)
  })
})
afterAll(async () => {
  await target.stop()
})

/** One GET on a fresh connection as the client saw it: `200:1000`, `200 after 412 then ECONNRESET`, an error code. */
function get(endpoint: string, path = '/bucket/key'): Promise<string> {
  return new Promise((resolve) => {
    // Which of the request or the response reports a reset mid-body differs between Node versions:
    // what the client saw is the same, so both say it alike.
    let seen: { status: number | undefined; bytes: number } | undefined
    const failed = (error: NodeJS.ErrnoException) =>
      resolve(seen ? `${seen.status} after ${seen.bytes} then ${error.code}` : (error.code ?? error.message))
    const req = request(`${endpoint}${path}`, { agent: false }, (res) => {
      const got = { status: res.statusCode, bytes: 0 }
      seen = got
      res.on('data', (chunk: Buffer) => {
        got.bytes += chunk.length
      })
      res.on('end', () => resolve(`${res.statusCode}:${got.bytes}`))
      res.on('error', failed)
    })
    req.on('error', failed)
    req.end()
  })
}

async function outcomes(options: FaultProxyOptions, count: number): Promise<string[]> {
  const proxy = await startFaultProxy(target.endpoint, options)
  try {
    const seen: string[] = []
    for (let i = 0; i < count; i++) seen.push(await get(proxy.endpoint))
    return seen
  } finally {
    await proxy.stop()
  }
}

describe('startFaultProxy', () => {
  it.each([
    ['internalError', /^500:\d+$/],
    ['slowDown', /^503:\d+$/],
    ['resetBeforeResponse', /^ECONNRESET$/],
    // Node reports a body closed short of its Content-Length as ECONNRESET "aborted", FIN or RST.
    ['resetMidBody', /^200 after [1-9]\d\d then ECONNRESET$/],
    ['truncatedBody', /^200 after [1-9]\d\d then ECONNRESET$/],
    ['latency', /^200:1000$/],
  ] as const)('%s', async (kind, seen) => {
    const [outcome] = await outcomes({ rate: 1, mix: { [kind]: 1 } }, 1)
    expect(outcome).toMatch(seen)
  })

  it('answers with S3 error documents', async () => {
    const proxy = await startFaultProxy(target.endpoint, { rate: 1, mix: { slowDown: 1 } })
    const body = await fetch(`${proxy.endpoint}/bucket/key`).then((r) => r.text())
    await proxy.stop()
    expect(body).toMatch(/<Error><Code>SlowDown<\/Code><Message>[^<]+<\/Message><RequestId>[^<]+<\/RequestId><\/Error>$/)
  })

  it('injects the same faults in the same order for the same seed', async () => {
    const mix = { internalError: 1, slowDown: 1, resetBeforeResponse: 1, resetMidBody: 1, truncatedBody: 1 }
    const first = await outcomes({ rate: 0.5, seed: 42, mix }, 30)
    expect(await outcomes({ rate: 0.5, seed: 42, mix }, 30)).toEqual(first)
    expect(await outcomes({ rate: 0.5, seed: 43, mix }, 30)).not.toEqual(first)
    expect(first.filter((o) => o === '200:1000').length).toBeGreaterThan(5)
  })

  it('never answers a black-holed request, and stop() closes it', async () => {
    const proxy = await startFaultProxy(target.endpoint, { rate: 1, mix: { blackHole: 1 } })
    const pending = get(proxy.endpoint)
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(proxy.counts).toMatchObject({ requests: 1, blackHole: 1, forwarded: 0 })
    await proxy.stop()
    expect(await pending).toMatch(/ECONNRESET|socket hang up/)
  })

  it('forwards only to the loopback interface', async () => {
    await expect(startFaultProxy('http://example.com:80')).rejects.toThrow(/only forwards to http:\/\/127\.0\.0\.1/)
    await expect(startFaultProxy('https://127.0.0.1:443')).rejects.toThrow(/only forwards/)
  })
})
