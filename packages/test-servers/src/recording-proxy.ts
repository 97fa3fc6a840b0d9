import { createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/** One request that went through the proxy. */
export interface RecordedRequest {
  method: string
  /** Path and query as sent (bucket, key, `?list-type=2` ...). */
  url: string
  status: number
  /** Response body bytes sent back to the client. */
  bytes: number
  range?: string
  /** Request headers, lower-case names. */
  headers: Record<string, string | string[] | undefined>
  /** Request body bytes received from the client. */
  bodyBytes: number
}

/** A canned answer the proxy sends instead of forwarding (fault injection). */
export interface ProxyResponse {
  status: number
  body?: string
  headers?: Record<string, string>
}

export interface RecordingProxyOptions {
  /**
   * Called for every request before it is forwarded; an answer returned here is sent instead
   * (after the request body has been read, so the client sees a clean HTTP error, not a reset).
   */
  respond?(request: { method: string; url: string; headers: IncomingHttpHeaders }): ProxyResponse | undefined
}

export interface RecordingProxy {
  endpoint: string
  requests: RecordedRequest[]
  reset(): void
  stop(): Promise<void>
}

/**
 * An HTTP proxy on 127.0.0.1 in front of a test server that records every request and the bytes
 * it returned, so tests can count requests without mocking the SDK.
 */
export async function startRecordingProxy(target: string, options: RecordingProxyOptions = {}): Promise<RecordingProxy> {
  const upstream = new URL(target)
  const requests: RecordedRequest[] = []
  const server: Server = createServer((req: IncomingMessage, res) => {
    let bodyBytes = 0
    req.on('data', (chunk: Buffer) => {
      bodyBytes += chunk.length
    })
    const canned = options.respond?.({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers })
    if (canned) {
      req.on('end', () => {
        const body = Buffer.from(canned.body ?? '')
        requests.push({
          method: req.method ?? 'GET',
          url: req.url ?? '/',
          status: canned.status,
          bytes: body.length,
          range: req.headers.range,
          headers: { ...req.headers },
          bodyBytes,
        })
        res.writeHead(canned.status, { 'content-length': String(body.length), ...canned.headers })
        res.end(body)
      })
      req.resume()
      return
    }
    const forward = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host },
      },
      (answer) => {
        const record: RecordedRequest = {
          method: req.method ?? 'GET',
          url: req.url ?? '/',
          status: answer.statusCode ?? 0,
          bytes: 0,
          range: req.headers.range,
          headers: { ...req.headers },
          bodyBytes,
        }
        requests.push(record)
        res.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.on('data', (chunk: Buffer) => {
          record.bytes += chunk.length
        })
        answer.pipe(res)
      },
    )
    forward.on('error', () => res.destroy())
    req.pipe(forward)
  })
  server.keepAliveTimeout = 1000
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    reset: () => {
      requests.length = 0
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
