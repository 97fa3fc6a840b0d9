import { describe, expect, it } from '@jest/globals'
import { type RetryClassifier, withRetry } from '../src/index.js'

/** An operation that fails with `failures` in turn, then returns 'done'; it records the attempt numbers it was given. */
function failing(failures: unknown[]) {
  const attempts: number[] = []
  const operation = async (attempt: number) => {
    attempts.push(attempt)
    if (failures.length > 0) throw failures.shift()
    return 'done'
  }
  return { operation, attempts }
}

// No backoff to speak of: the tests assert what is retried, not when.
const transient: RetryClassifier = (error) => ((error as Error).name === 'Transient' ? 0 : undefined)
const named = (name: string) => Object.assign(new Error(name), { name })

describe('withRetry, the one retry policy', () => {
  it('retries what the classifier calls transient until an attempt succeeds', async () => {
    const { operation, attempts } = failing([named('Transient'), named('Transient')])
    await expect(withRetry(operation, { maxAttempts: 5, retryable: transient })).resolves.toBe('done')
    expect(attempts).toEqual([1, 2, 3])
  })

  it('stops at a failure the classifier calls final, and throws it', async () => {
    const final = named('Final')
    const { operation, attempts } = failing([named('Transient'), final, named('Transient')])
    await expect(withRetry(operation, { maxAttempts: 5, retryable: transient })).rejects.toBe(final)
    expect(attempts).toEqual([1, 2])
  })

  it('makes at most maxAttempts attempts, and giveUp shapes the error with the count', async () => {
    const { operation, attempts } = failing(Array.from({ length: 10 }, () => named('Transient')))
    const giveUp = (error: unknown, count: number) => new Error(`${(error as Error).name} after ${count} attempts`)
    await expect(withRetry(operation, { maxAttempts: 3, retryable: transient, giveUp })).rejects.toThrow('Transient after 3 attempts')
    expect(attempts).toEqual([1, 2, 3])
  })
})
