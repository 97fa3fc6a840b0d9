import { createHash } from 'node:crypto'
import { describe, expect, it } from '@jest/globals'
import { seededRandom } from '@cfb/test-servers'
import { type SigningIdentity, SigV4 } from '../src/sigv4.js'
import { signatureMatches } from './support/sigv4.js'

// The direct PUT's signer against an independent reading of the SigV4 specification
// (support/sigv4.ts); the wire tests in direct-put.test.ts also compare it with the SDK's.

const random = seededRandom(4242)
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!
const text = (alphabet: string, max: number) => Array.from({ length: 1 + Math.floor(random() * max) }, () => pick([...alphabet])).join('')

function signed(identity: SigningIdentity, headers: Record<string, string>, at: Date, region = 'us-east-1', path = '/bucket/key') {
  const body = new TextEncoder().encode(text('abc', 20))
  const sha = createHash('sha256').update(body).digest('hex')
  const sent: Record<string, string> = { ...headers, host: '127.0.0.1:9000', 'content-length': String(body.length), 'x-amz-content-sha256': sha }
  new SigV4(region, 's3').sign('PUT', path, sent, sha, identity, at)
  return { method: 'PUT', url: path, headers: sent, status: 0, bytes: 0, bodyBytes: body.length }
}

describe('SigV4 of a direct PUT', () => {
  it('matches the specification for any metadata, path, region, date and credentials', () => {
    for (let run = 0; run < 300; run++) {
      const identity: SigningIdentity = {
        accessKeyId: text('ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', 20),
        secretAccessKey: text('abcdefghijklmnopqrstuvwxyz0123456789+/', 40),
        ...(random() < 0.5 ? { sessionToken: text('abcdef0123456789/+=', 60) } : {}),
      }
      const headers: Record<string, string> = { 'content-type': pick(['application/octet-stream', 'application/json', 'text/csv; charset=utf-8']) }
      for (let m = Math.floor(random() * 4); m > 0; m--) headers[`x-amz-meta-${text('abcdefghij-0123', 12)}`] = text('ab  c\t9=/', 30)
      if (random() < 0.3) headers['if-none-match'] = '*'
      const at = new Date(Date.UTC(2020, 0, 1) + Math.floor(random() * 3e11))
      const path = `/bucket/${text('abc%20XYZ/=-_.~', 40)}`
      const request = signed(identity, headers, at, pick(['us-east-1', 'eu-west-3', 'auto']), path)
      expect(signatureMatches(request, identity.secretAccessKey)).toBe(true)
      expect(signatureMatches(request, `${identity.secretAccessKey}x`)).toBe(false)
      expect(request.headers['x-amz-date']).toBe(at.toISOString().replace(/[-:]|\.\d{3}/g, ''))
      if (identity.sessionToken) {
        expect(request.headers['x-amz-security-token']).toBe(identity.sessionToken)
        expect(request.headers.authorization).toMatch(/SignedHeaders=[^,]*x-amz-security-token/)
      } else expect(request.headers['x-amz-security-token']).toBeUndefined()
      // Any header changed after signing breaks the signature.
      const tampered = { ...request, headers: { ...request.headers, 'content-length': `${request.headers['content-length']}0` } }
      expect(signatureMatches(tampered, identity.secretAccessKey)).toBe(false)
    }
  })

  it('derives a new signing key for a new day or new credentials', () => {
    const signer = new SigV4('us-east-1', 's3')
    const a = { accessKeyId: 'AKIA1', secretAccessKey: 'first secret' }
    const b = { accessKeyId: 'AKIA1', secretAccessKey: 'rotated secret' }
    const cases: [SigningIdentity, Date][] = [
      [a, new Date('2026-12-04T23:59:59Z')],
      [a, new Date('2026-12-05T00:00:01Z')],
      [b, new Date('2026-12-05T00:00:02Z')],
      [a, new Date('2026-12-05T00:00:03Z')],
    ]
    for (const [identity, at] of cases) {
      const sha = createHash('sha256').digest('hex')
      const headers: Record<string, string> = { host: 'h', 'x-amz-content-sha256': sha }
      signer.sign('PUT', '/b/k', headers, sha, identity, at)
      expect(signatureMatches({ method: 'PUT', url: '/b/k', headers, status: 0, bytes: 0, bodyBytes: 0 }, identity.secretAccessKey)).toBe(true)
    }
  })
})
