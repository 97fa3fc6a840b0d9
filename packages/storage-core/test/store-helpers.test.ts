import { describe, expect, it } from '@jest/globals'
import { codeForHttpStatus, cutToRange, deleteInBatches, httpRange, isEmptyRangeAnswer, type KeyFailure, StorageError } from '../src/index.js'

describe('codeForHttpStatus', () => {
  it('maps the statuses object services answer with to stable codes', () => {
    const codes = Object.fromEntries([400, 401, 403, 404, 405, 408, 409, 412, 416, 418, 429, 500, 501, 503, 302].map((s) => [s, codeForHttpStatus(s)]))
    expect(codes).toEqual({
      400: 'INVALID_ARGUMENT',
      401: 'PERMISSION_DENIED',
      403: 'PERMISSION_DENIED',
      404: 'NOT_FOUND',
      405: 'NOT_SUPPORTED',
      408: 'UNAVAILABLE',
      409: 'CONFLICT',
      412: 'CONFLICT',
      416: 'INVALID_ARGUMENT',
      418: 'INVALID_ARGUMENT',
      429: 'UNAVAILABLE',
      500: 'UNAVAILABLE',
      501: 'NOT_SUPPORTED',
      503: 'UNAVAILABLE',
      302: 'UNAVAILABLE',
    })
  })
})

describe('httpRange', () => {
  it("turns [start, end) into HTTP's inclusive Range, and needs no request for an empty range", () => {
    expect(httpRange()).toEqual({ kind: 'whole' })
    expect(httpRange({})).toEqual({ kind: 'whole' })
    expect(httpRange({ start: 10, end: 20 })).toEqual({ kind: 'range', header: 'bytes=10-19', start: 10, end: 20 })
    expect(httpRange({ start: 5 })).toEqual({ kind: 'range', header: 'bytes=5-', start: 5, end: undefined })
    expect(httpRange({ end: 1 })).toEqual({ kind: 'range', header: 'bytes=0-0', start: 0, end: 1 })
    expect(httpRange({ start: 7, end: 7 })).toEqual({ kind: 'empty' })
    expect(httpRange({ end: 0 })).toEqual({ kind: 'empty' })
  })

  it('reads a 416 to a ranged request as no bytes, and nothing else', () => {
    expect(isEmptyRangeAnswer(416, true)).toBe(true)
    expect(isEmptyRangeAnswer(416, false)).toBe(false)
    expect(isEmptyRangeAnswer(404, true)).toBe(false)
    expect(isEmptyRangeAnswer(undefined, true)).toBe(false)
  })
})

describe('cutToRange', () => {
  const whole = Uint8Array.from({ length: 100 }, (_, i) => i)
  const cut = (bytes: Uint8Array, contentRange: string | undefined, start: number, end?: number) => [
    ...cutToRange(bytes, contentRange, start, end),
  ]

  it('passes through exactly what was asked', () => {
    expect(cut(whole.slice(10, 20), 'bytes 10-19/100', 10, 20)).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19])
  })

  it('cuts a server that ignored the range (the whole object, no Content-Range) to the range', () => {
    expect(cut(whole, undefined, 10, 13)).toEqual([10, 11, 12])
    expect(cut(whole, undefined, 97)).toEqual([97, 98, 99])
  })

  it('cuts a range the server widened', () => {
    expect(cut(whole.slice(0, 50), 'bytes 0-49/100', 10, 12)).toEqual([10, 11])
    expect(cut(whole.slice(8), 'bytes 8-99/100', 98)).toEqual([98, 99])
  })

  it('refuses bytes that start later than asked', () => {
    expect(() => cutToRange(whole.slice(20, 30), 'bytes 20-29/100', 10, 30)).toThrow(StorageError)
  })
})

describe('deleteInBatches', () => {
  const keys = Array.from({ length: 2_345 }, (_, i) => `k/${i}`)

  it('sends every key once, in batches of at most batchSize', async () => {
    const batches: string[][] = []
    await deleteInBatches(keys, {
      batchSize: 1_000,
      backend: 'test',
      async deleteBatch(batch) {
        batches.push([...batch])
        return []
      },
    })
    expect(batches.map((b) => b.length).sort((a, b) => b - a)).toEqual([1_000, 1_000, 345])
    expect(batches.flat().sort()).toEqual([...keys].sort())
  })

  it('ignores keys reported missing and fails with the code of the first other failure, naming the key', async () => {
    const failures: Record<string, KeyFailure[]> = {
      'k/0': [{ key: 'k/1', code: 'NOT_FOUND', reason: 'NoSuchKey' }],
      'k/700': [
        { key: 'k/701', code: 'PERMISSION_DENIED', reason: 'AccessDenied' },
        { key: 'k/702', code: 'PERMISSION_DENIED', reason: 'AccessDenied' },
      ],
    }
    const run = deleteInBatches(keys, {
      batchSize: 700,
      concurrency: 1,
      backend: 'test',
      deleteBatch: async (batch) => failures[batch[0]!] ?? [],
    })
    await expect(run).rejects.toMatchObject({ code: 'PERMISSION_DENIED', key: 'k/701', backend: 'test' })
    await expect(run).rejects.toThrow('delete of k/701 failed: AccessDenied (and 1 more keys)')
    await expect(
      deleteInBatches(keys, { batchSize: 700, backend: 'test', deleteBatch: async (batch) => (batch[0] === 'k/0' ? failures['k/0']! : []) }),
    ).resolves.toBeUndefined()
  })

  it('fails as a request threw, and refuses a batch size below 1', async () => {
    const outage = new StorageError('UNAVAILABLE', 'down')
    await expect(
      deleteInBatches(keys, { batchSize: 1_000, backend: 'test', deleteBatch: () => Promise.reject(outage) }),
    ).rejects.toBe(outage)
    await expect(deleteInBatches(keys, { batchSize: 0, backend: 'test', deleteBatch: async () => [] })).rejects.toMatchObject({
      code: 'CONFIG',
    })
  })
})
