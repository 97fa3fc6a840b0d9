/**
 * The one retry policy: full-jitter exponential backoff (the AWS SDK's standard mode; jitter keeps
 * writers that failed together from retrying together), bounded attempts, and a classifier that
 * says which failures a retry may cure. Adapters use it for what their SDK does not retry.
 */

/** The backoff base in ms before another attempt, or `undefined` when no retry can succeed. */
export type RetryClassifier = (error: unknown) => number | undefined

export interface RetryOptions {
  /** Attempts in all, the first included. */
  maxAttempts: number
  /** Which failures to retry, and the backoff base for each. */
  retryable: RetryClassifier
  /** The longest wait between two attempts. Default 2,000 ms. */
  maxDelayMs?: number
  /** The error to throw when a failure is final (not retryable, or no attempt left); default the failure. */
  giveUp?: (error: unknown, attempts: number) => unknown
}

/** A random wait before attempt `attempt + 1`: up to `baseMs`, doubling per attempt, at most `maxDelayMs`. */
export function backoffMs(attempt: number, baseMs = 100, maxDelayMs = 2_000): number {
  return Math.random() * Math.min(maxDelayMs, baseMs * 2 ** (attempt - 1))
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** Runs `operation` (given its attempt number, from 1) until it succeeds or a failure is final. */
export async function withRetry<T>(operation: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation(attempt)
    } catch (error) {
      const baseMs = options.retryable(error)
      if (baseMs === undefined || attempt >= options.maxAttempts) throw options.giveUp ? options.giveUp(error, attempt) : error
      await sleep(backoffMs(attempt, baseMs, options.maxDelayMs))
    }
  }
}
