import { createHash } from 'node:crypto'
import type { ObjectStore } from '../store/object-store.js'

/** User-metadata name under which an object's SHA-256 (hex) is stored with it. */
export const SHA256_METADATA = 'sha256'

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}

/** How a checksum is found: from stored metadata when the backend keeps it, or by downloading. */
export type ChecksumMode = 'metadata' | 'download'

/**
 * The SHA-256 of one object. With `metadata`, a stored `sha256` is trusted (one HEAD, no body);
 * an object without it, or a backend that keeps no metadata (local disk), is read and hashed.
 */
export async function objectSha256(store: ObjectStore, key: string, mode: ChecksumMode): Promise<string> {
  if (mode === 'metadata' && store.capabilities.objectMetadata) {
    const stored = (await store.head(key)).metadata?.[SHA256_METADATA]
    if (stored && /^[0-9a-f]{64}$/.test(stored)) return stored
  }
  return sha256Hex(await store.get(key))
}
