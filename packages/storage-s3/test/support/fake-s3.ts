import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** A tiny HTTP server on 127.0.0.1 that answers like a misbehaving S3, for failure paths. */
export interface FakeS3 {
  endpoint: string
  /** Every request seen, as `METHOD url`. */
  requests: string[]
  stop(): Promise<void>
}

export type FakeHandler = (request: IncomingMessage, response: ServerResponse) => void

/** Starts `handler` on a free port of 127.0.0.1; each request's body is read before it is answered. */
export async function startFakeS3(handler: FakeHandler): Promise<FakeS3> {
  const requests: string[] = []
  const server: Server = createServer((request, response) => {
    requests.push(`${request.method} ${request.url}`)
    request.on('end', () => handler(request, response))
    request.resume()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** An S3 error document with `code`. */
export function sendS3Error(response: ServerResponse, status: number, code: string): void {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${code}</Message></Error>`
  response.writeHead(status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) })
  response.end(body)
}

/** A free port on 127.0.0.1 with nothing listening on it (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}
