import { createHash, createHmac } from 'node:crypto'

/** Credentials as the SDK's providers give them. */
export interface SigningIdentity {
  accessKeyId: string
  secretAccessKey: string
  sessionToken?: string
}

/**
 * AWS Signature Version 4 of one request whose body's SHA-256 is known, for one region and
 * service: what the SDK's `SignatureV4` computes, without its request cloning and generic header
 * handling (19–23 µs a PUT, against 5–6 here).
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
 */
export class SigV4 {
  /** The signing key of the last day signed, with the identity it was derived for. */
  #key: { day: string; identity: SigningIdentity; key: Buffer } | undefined

  constructor(
    private readonly region: string,
    private readonly service: string,
  ) {}

  /**
   * Adds `x-amz-date`, `x-amz-security-token` (with a session token) and `authorization` to
   * `headers`, which must hold every other header sent, names in lower case. `path` is signed as
   * sent (S3 does not encode it a second time); there is no query.
   */
  sign(method: string, path: string, headers: Record<string, string>, payloadSha256: string, identity: SigningIdentity, now: Date): void {
    const stamp = now.toISOString().replace(/[-:]|\.\d{3}/g, '')
    const day = stamp.slice(0, 8)
    headers['x-amz-date'] = stamp
    if (identity.sessionToken) headers['x-amz-security-token'] = identity.sessionToken
    const names = Object.keys(headers).sort()
    let canonicalHeaders = ''
    for (const name of names) canonicalHeaders += `${name}:${headers[name]!.trim().replace(/\s+/g, ' ')}\n`
    const signedHeaders = names.join(';')
    const canonical = `${method}\n${path}\n\n${canonicalHeaders}\n${signedHeaders}\n${payloadSha256}`
    const scope = `${day}/${this.region}/${this.service}/aws4_request`
    const toSign = `AWS4-HMAC-SHA256\n${stamp}\n${scope}\n${createHash('sha256').update(canonical).digest('hex')}`
    const signature = createHmac('sha256', this.signingKey(day, identity)).update(toSign).digest('hex')
    headers.authorization = `AWS4-HMAC-SHA256 Credential=${identity.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`
  }

  private signingKey(day: string, identity: SigningIdentity): Buffer {
    const known = this.#key
    if (known && known.day === day && known.identity.accessKeyId === identity.accessKeyId && known.identity.secretAccessKey === identity.secretAccessKey) {
      return known.key
    }
    const hmac = (key: string | Buffer, text: string) => createHmac('sha256', key).update(text).digest()
    const key = hmac(hmac(hmac(hmac(`AWS4${identity.secretAccessKey}`, day), this.region), this.service), 'aws4_request')
    this.#key = { day, identity, key }
    return key
  }
}
