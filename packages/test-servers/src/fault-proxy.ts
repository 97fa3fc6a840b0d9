import { Agent, createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { seededRandom } from './seeded-random.js'

export const FAULT_KINDS = [
  'internalError',
  'slowDown',
  'resetBeforeResponse',
  'resetMidBody',
  'truncatedBody',
  'latency',
  'blackHole',
] as const

/**
 * - `internalError` / `slowDown`: a 500 InternalError / 503 SlowDown S3 error document; not forwarded.
 * - `resetBeforeResponse`: forwarded (the server acts on it), then the client's socket is reset
 *   before a byte of the answer: the client cannot tell whether its request took effect.
 * - `resetMidBody`: the status, headers and part of the body, then a TCP reset.
 * - `truncatedBody`: the full `Content-Length`, part of the body, then a clean close (FIN).
 * - `latency`: a delay before forwarding; the answer is intact.
 * - `blackHole`: the request is read and never answered (only the client's timeout ends it).
 *
 * A body fault drawn for an answer with no body to cut (HEAD, an empty PUT answer) becomes a
 * `resetBeforeResponse` and is counted as one, so the counts say what the client saw.
 */
export type FaultKind = (typeof FAULT_KINDS)[number]

export interface FaultRequest {
  method: string
  url: string
}

export interface FaultProxyOptions {
  /** Chance in [0, 1] that a request gets a fault. Default 0.1. */
  rate?: number
  /** Seed of the decision sequence. Default 1. */
  seed?: number
  /** Relative weights of the kinds; a kind left out (or 0) never happens. Default: all equal. */
  mix?: Partial<Record<FaultKind, number>>
  /** Delay range of a `latency` fault, in milliseconds. Default 20 to 200. */
  latencyMs?: { min: number; max: number }
  /** Only requests this accepts may get a fault (default: every request). Asked once per request. */
  eligible?(request: FaultRequest): boolean
}

export type FaultCounts = Record<FaultKind, number> & {
  /** Requests received from the client. */
  requests: number
  /** Requests sent on to the target. */
  forwarded: number
}

export interface FaultProxy {
  endpoint: string
  /** Live counts since the start (or the last `resetCounts()`). */
  readonly counts: FaultCounts
  /** Changes the rate, mix or eligibility from the next request on (the seed sequence goes on). */
  configure(options: Pick<FaultProxyOptions, 'rate' | 'mix' | 'eligible'>): void
  resetCounts(): void
  /** Destroys every socket (client and target side) and stops listening. */
  stop(): Promise<void>
}

interface Decision {
  kind: FaultKind | undefined
  /** Where a body is cut, as a fraction of it; or where in the latency range the delay falls. */
  fraction: number
}

const S3_ERRORS = {
  internalError: { status: 500, code: 'InternalError', message: 'We encountered an internal error. Please try again.' },
  slowDown: { status: 503, code: 'SlowDown', message: 'Please reduce your request rate.' },
} as const

function zeroCounts(): FaultCounts {
  const counts = { requests: 0, forwarded: 0 } as FaultCounts
  for (const kind of FAULT_KINDS) counts[kind] = 0
  return counts
}

/** Refuses anything but plain HTTP on the loopback interface: this proxy never leaves the machine. */
function loopbackTarget(target: string): URL {
  const url = new URL(target)
  if (url.protocol !== 'http:' || !['127.0.0.1', 'localhost'].includes(url.hostname) || url.port === '') {
    throw new Error(`the fault proxy only forwards to http://127.0.0.1:<port>, not ${target}`)
  }
  return url
}

/**
 * An HTTP proxy on 127.0.0.1 in front of an S3 test server that injects faults, decided per
 * request by a seeded PRNG: the same seed and request order give the same faults.
 */
export async function startFaultProxy(target: string, options: FaultProxyOptions = {}): Promise<FaultProxy> {
  const upstream = loopbackTarget(target)
  const random = seededRandom(options.seed ?? 1)
  const latency = options.latencyMs ?? { min: 20, max: 200 }
  let settings = { rate: options.rate ?? 0.1, mix: options.mix, eligible: options.eligible }
  let counts = zeroCounts()
  let stopped = false
  const sockets = new Set<Socket>()
  const timers = new Set<NodeJS.Timeout>()
  // Its own pool, so that stop() can close the target-side sockets too.
  const agent = new Agent({ keepAlive: true })

  const decide = (request: FaultRequest): Decision => {
    // Always three draws, so one request's path never shifts the decisions of the next.
    const [hit, pick, fraction] = [random(), random(), random()]
    if ((settings.eligible && !settings.eligible(request)) || hit >= settings.rate) return { kind: undefined, fraction }
    const weighted = FAULT_KINDS.map((kind) => ({ kind, weight: Math.max(0, settings.mix ? (settings.mix[kind] ?? 0) : 1) }))
    let point = pick * weighted.reduce((sum, w) => sum + w.weight, 0)
    for (const { kind, weight } of weighted) {
      if (point < weight) return { kind, fraction }
      point -= weight
    }
    return { kind: undefined, fraction }
  }

  /** A timer that stop() clears. */
  const later = (fn: () => void, ms: number) => {
    const timer = setTimeout(() => {
      timers.delete(timer)
      fn()
    }, ms)
    timers.add(timer)
  }

  const reset = (res: ServerResponse) => {
    res.socket?.resetAndDestroy()
  }

  /** Sends the request on; `onAnswer` gets the whole answer instead of it being piped back. */
  const forward = (req: IncomingMessage, res: ServerResponse, onAnswer?: (answer: IncomingMessage, body: Buffer) => void) => {
    if (stopped) return reset(res)
    counts.forwarded++
    const outgoing = httpRequest(
      {
        host: '127.0.0.1',
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host },
        agent,
      },
      (answer) => {
        if (!onAnswer) {
          res.writeHead(answer.statusCode ?? 502, answer.headers)
          answer.pipe(res)
          return
        }
        const chunks: Buffer[] = []
        answer.on('data', (chunk: Buffer) => chunks.push(chunk))
        answer.on('end', () => onAnswer(answer, Buffer.concat(chunks)))
        answer.on('error', () => reset(res))
      },
    )
    outgoing.on('error', () => reset(res))
    req.pipe(outgoing)
  }

  const sendError = (req: IncomingMessage, res: ServerResponse, kind: keyof typeof S3_ERRORS) => {
    const { status, code, message } = S3_ERRORS[kind]
    const requestId = `fault-${counts.requests}`
    const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>${requestId}</RequestId></Error>`
    // Answer only once the request body is in, as S3 does, so the client sees an answer, not a reset.
    req.on('end', () =>
      res.writeHead(status, {
        'content-type': 'application/xml',
        'content-length': String(Buffer.byteLength(body)),
        'x-amz-request-id': requestId,
      }).end(body),
    )
    req.resume()
  }

  /** The head and the first `fraction` of the body (at least one byte, never all), then a reset or a close. */
  const cutBody = (req: IncomingMessage, res: ServerResponse, kind: 'resetMidBody' | 'truncatedBody', fraction: number) =>
    forward(req, res, (answer, body) => {
      if (req.method === 'HEAD' || body.length < 2) {
        counts.resetBeforeResponse++
        return reset(res)
      }
      counts[kind]++
      const cut = Math.min(body.length - 1, Math.max(1, Math.floor(body.length * (0.1 + 0.8 * fraction))))
      const headers = { ...answer.headers, 'content-length': String(body.length) }
      delete headers['transfer-encoding']
      res.writeHead(answer.statusCode ?? 502, headers)
      // A reset makes the client's kernel drop what it has not read yet: give it time to read the
      // headers and the part of the body first, so the client sees a body cut mid-way.
      res.write(body.subarray(0, cut), () =>
        kind === 'truncatedBody' ? res.socket?.end() : later(() => reset(res), 50),
      )
    })

  const server = createServer((req, res) => {
    counts.requests++
    const { kind, fraction } = decide({ method: req.method ?? 'GET', url: req.url ?? '/' })
    switch (kind) {
      case undefined:
        return forward(req, res)
      case 'internalError':
      case 'slowDown':
        counts[kind]++
        return sendError(req, res, kind)
      case 'blackHole':
        counts.blackHole++
        req.resume()
        return
      case 'latency': {
        counts.latency++
        const timer = setTimeout(
          () => {
            timers.delete(timer)
            forward(req, res)
          },
          latency.min + fraction * (latency.max - latency.min),
        )
        timers.add(timer)
        return
      }
      case 'resetBeforeResponse':
        return forward(req, res, () => {
          counts.resetBeforeResponse++
          reset(res)
        })
      case 'resetMidBody':
      case 'truncatedBody':
        return cutBody(req, res, kind, fraction)
    }
  })
  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo

  return {
    endpoint: `http://127.0.0.1:${port}`,
    get counts() {
      return counts
    },
    configure(next) {
      settings = { ...settings, ...next }
    },
    resetCounts() {
      counts = zeroCounts()
    },
    stop: () =>
      new Promise<void>((resolve) => {
        stopped = true
        for (const timer of timers) clearTimeout(timer)
        timers.clear()
        for (const socket of sockets) socket.destroy()
        agent.destroy()
        server.close(() => resolve())
      }),
  }
}
