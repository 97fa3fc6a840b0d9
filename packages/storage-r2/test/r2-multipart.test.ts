import { describe, expect, it } from '@jest/globals'
import { useR2Server } from './support/r2-server.js'

const MIB = 1024 * 1024
const r2 = useR2Server('fauxqs', { recording: true })

describe('R2 multipart upload', () => {
  it('sends equal non-trailing parts and no checksum headers, which R2 would refuse', async () => {
    const storage = r2.storage({ endpoint: r2.proxy.endpoint })
    const bytes = new Uint8Array(17 * MIB).map((_, i) => (i * 31 + (i >>> 13)) & 0xff)
    r2.proxy.reset()
    await storage.writeBytes('big/object.bin', bytes)

    const parts = r2.proxy.requests
      .filter((r) => r.method === 'PUT' && r.url.includes('partNumber='))
      .sort((a, b) => Number(/partNumber=(\d+)/.exec(a.url)![1]) - Number(/partNumber=(\d+)/.exec(b.url)![1]))
    expect(parts.map((r) => r.bodyBytes)).toEqual([8 * MIB, 8 * MIB, 1 * MIB])
    expect(r2.proxy.requests.filter((r) => r.method === 'POST')).toHaveLength(2) // create, complete
    for (const request of r2.proxy.requests) {
      const names = Object.keys(request.headers)
      expect(names.filter((n) => n.startsWith('x-amz-checksum') || n === 'x-amz-sdk-checksum-algorithm')).toEqual([])
    }
    expect(Buffer.compare(await storage.readBytes('big/object.bin'), bytes)).toBe(0)
  })
})
