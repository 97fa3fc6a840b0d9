import { StorageError } from '@cfb/storage-core'

/** The backend name carried by every error this package raises. */
export const BACKEND = 'local'

/** What the failing call was doing, so a path conflict can be told from a bad argument. */
export type FsOperation = 'read' | 'write' | 'list' | 'delete'

/** The errno code of a Node fs error, if it has one. */
export function errnoCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = (error as { code: unknown }).code
    return typeof code === 'string' ? code : undefined
  }
  return undefined
}

/**
 * Maps a Node fs error onto a stable `StorageError` code. The fs message is kept (it names the
 * path and the syscall, never file contents) so operators can see what the disk said.
 */
export function fsError(error: unknown, key: string, operation: FsOperation): StorageError {
  if (error instanceof StorageError) return error
  const code = errnoCode(error)
  const detail = error instanceof Error ? error.message : String(error)
  const options = { backend: BACKEND, key, cause: error }
  switch (code) {
    case 'ENOENT':
      return new StorageError('NOT_FOUND', `${key}: not found`, options)
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return new StorageError('PERMISSION_DENIED', `${key}: permission denied (${detail})`, options)
    case 'EEXIST':
      return new StorageError('CONFLICT', `${key}: already exists`, options)
    case 'ENOTDIR':
    case 'EISDIR':
      // On a write a file sits where a folder is needed (or the reverse): the key collides with
      // an existing one. On a read the path simply cannot name an object.
      return operation === 'write'
        ? new StorageError('CONFLICT', `${key}: a file and a folder collide on this path (${code})`, options)
        : new StorageError('NOT_FOUND', `${key}: not found (${code})`, options)
    case 'ENAMETOOLONG':
      return new StorageError('INVALID_ARGUMENT', `${key}: name too long for the filesystem`, options)
    default:
      return new StorageError('UNAVAILABLE', `${key}: local disk ${operation} failed (${detail})`, options)
  }
}
