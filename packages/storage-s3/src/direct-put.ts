import { createHash } from 'node:crypto'
import type { S3Client } from '@aws-sdk/client-s3'
import { getEndpointFromInstructions, HttpRequest, PutObjectCommand } from './sdk.js'
import { type SigningIdentity, SigV4 } from './sigv4.js'

/** Bodies up to this size take the direct path; above it the SDK's own cost is lost in the transfer. */
export const DIRECT_PUT_MAX_BYTES = 1024 * 1024

/** An S3 error answer, shaped as the SDK shapes its errors so `toStorageError` reads it alike. */
export interface DirectPutError extends Error {
  $metadata: { httpStatusCode: number }
}

/**
 * PutObject of one small body without the SDK's middleware stack, whose CPU cost per request is
 * several times this path's, and a copy of many small objects is bound by it.
 * What matters is kept from the client: its endpoint rules (resolved once), credentials, region,
 * clock-skew offset, request handler (sockets, timeouts). The body's SHA-256 is signed, so the
 * server checks the body (as the SDK's CRC32 header would). Retries are the caller's.
 */
export class DirectPut {
  private constructor(
    private readonly client: S3Client,
    private readonly url: URL,
    private readonly signer: SigV4,
  ) {}

  /** The direct path for `bucket`, or `undefined` where it needs more than SigV4 (S3 Express, SigV4a). */
  static async open(client: S3Client, bucket: string): Promise<DirectPut | undefined> {
    const endpoint = await getEndpointFromInstructions({ Bucket: bucket, Key: 'key' }, PutObjectCommand, client.config)
    const scheme = endpoint.properties?.authSchemes?.[0] as { name?: string; signingName?: string; signingRegion?: string } | undefined
    if (scheme !== undefined && scheme.name !== 'sigv4') return undefined
    const signer = new SigV4(scheme?.signingRegion ?? (await client.config.region()), scheme?.signingName ?? 's3')
    return new DirectPut(client, endpoint.url, signer)
  }

  /** One attempt. Throws the handler's error (no answer) or a `DirectPutError` (an error answer). */
  async put(objectKey: string, body: Uint8Array, headers: Record<string, string>): Promise<void> {
    const base = this.url.pathname.replace(/\/+$/, '')
    const path = `${base}/${objectKey.split('/').map(encodeSegment).join('/')}`
    const payloadSha256 = createHash('sha256').update(body).digest('hex')
    const sent = { ...headers, host: this.url.host, 'content-length': String(body.length), 'x-amz-content-sha256': payloadSha256 }
    // The client's provider: it caches the credentials and renews them before they expire.
    const identity = (await this.client.config.credentials()) as SigningIdentity
    this.signer.sign('PUT', path, sent, payloadSha256, identity, new Date(Date.now() + (this.client.config.systemClockOffset ?? 0)))
    const request = new HttpRequest({
      protocol: this.url.protocol,
      hostname: this.url.hostname,
      port: this.url.port === '' ? undefined : Number(this.url.port),
      method: 'PUT',
      path,
      headers: sent,
      body,
    })
    const { response } = await this.client.config.requestHandler.handle(request)
    if (response.statusCode < 300) {
      // Node's response: let the (empty) body run out, which frees the socket, without awaiting
      // it; the object has landed, so a connection that breaks now is no error of this PUT.
      if (typeof response.body?.resume === 'function') response.body.on('error', () => {}).resume()
      else await readText(response.body)
      return
    }
    const text = await readText(response.body)
    const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1]
    const error = new Error(/<Message>([^<]*)<\/Message>/.exec(text)?.[1] ?? `HTTP ${response.statusCode}`) as DirectPutError
    if (code) error.name = code
    error.$metadata = { httpStatusCode: response.statusCode }
    // A skewed clock: sign the retry with the server's time, as the SDK does.
    const date = Date.parse(String(response.headers.date ?? ''))
    if (code === 'RequestTimeTooSkewed' && !Number.isNaN(date)) this.client.config.systemClockOffset = date - Date.now()
    throw error
  }
}

/** A key segment as the SDK sends it: RFC 3986 unreserved characters kept, the rest escaped. */
function encodeSegment(segment: string): string {
  return encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
}

/** The whole answer body (empty on success); reading it also frees the socket for the next request. */
async function readText(body: AsyncIterable<Uint8Array> | undefined): Promise<string> {
  if (body === undefined) return ''
  const chunks: Buffer[] = []
  for await (const chunk of body) chunks.push(Buffer.from(chunk))
  return Buffer.concat(chunks).toString('utf8')
}
