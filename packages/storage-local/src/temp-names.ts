import { randomUUID } from 'node:crypto'

/**
 * Names this adapter writes or meets on disk that are never objects: its own in-flight temp
 * files, and macOS AppleDouble `._x` companions that external drives grow.
 */

// `.<part of basename>.<16 hex>.tmp`: hidden (leading dot) and recognisable, so listing can skip
// temp files of a crashed writer without skipping a user's own dot-files.
const TEMP_NAME = /^\..*\.[0-9a-f]{16}\.tmp$/s
// Keeps the temp name within the 255-byte NAME_MAX even when the basename already fills it.
const BASENAME_CHARS = 32

/** A fresh temp file name for writing `basename` in the same folder. */
export function tempNameFor(basename: string): string {
  const short = Array.from(basename).slice(0, BASENAME_CHARS).join('')
  // 16 hex digits of a v4 UUID (60 random bits): randomUUID draws from a cached pool, where
  // randomBytes asks OpenSSL on every call.
  return `.${short}.${randomUUID().replace(/-/g, '').slice(0, 16)}.tmp`
}

/** True for a temp file name this adapter writes before renaming into place. */
export function isTempFileName(name: string): boolean {
  return TEMP_NAME.test(name)
}

/** True for file names a listing must never return. */
export function isIgnoredFileName(name: string): boolean {
  return name.startsWith('._') || TEMP_NAME.test(name)
}
