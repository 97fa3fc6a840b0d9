import { createHash, createHmac } from 'node:crypto'
import type { RecordedRequest } from '@cfb/test-servers'

// The test servers do not check signatures: this recomputes one from a recorded request, from the
// SigV4 specification, so a request signed wrongly is caught before a real S3 or R2 refuses it.

const hmac = (key: Buffer | string, text: string) => createHmac('sha256', key).update(text).digest()
const one = (value: string | string[] | undefined) => (Array.isArray(value) ? value.join(',') : (value ?? ''))

/** True when the request's `Authorization` is the SigV4 signature of what was sent, with `secret`. */
export function signatureMatches(request: RecordedRequest, secret: string): boolean {
  const auth = /^AWS4-HMAC-SHA256 Credential=[^/]+\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(
    one(request.headers.authorization),
  )
  if (!auth) return false
  const [, day, region, service, signedHeaders, signature] = auth as unknown as string[]
  const [path, query = ''] = request.url.split('?') as [string, string?]
  // S3 signs the path as sent; query parameters sorted, each encoded once.
  const canonicalQuery = query
    .split('&')
    .filter(Boolean)
    .map((pair) => (pair.includes('=') ? pair : `${pair}=`))
    .sort()
    .join('&')
  const names = signedHeaders!.split(';')
  const canonicalHeaders = names.map((name) => `${name}:${one(request.headers[name]).trim().replace(/\s+/g, ' ')}\n`).join('')
  const canonical = [request.method, path, canonicalQuery, canonicalHeaders, signedHeaders, one(request.headers['x-amz-content-sha256'])].join('\n')
  const scope = `${day}/${region}/${service}/aws4_request`
  const toSign = ['AWS4-HMAC-SHA256', one(request.headers['x-amz-date']), scope, createHash('sha256').update(canonical).digest('hex')].join('\n')
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, day!), region!), service!), 'aws4_request')
  return createHmac('sha256', key).update(toSign).digest('hex') === signature
}
