import { mkdir, stat } from 'node:fs/promises'
import { dirname } from 'node:path'
import { errnoCode } from './fs-errors.js'

/**
 * `mkdir -p` that fails with the disk's own reason. Node's recursive mkdir reports ENOENT for a
 * folder it cannot create on a read-only file system, which would read as "not found": on ENOENT
 * the first missing folder is created alone, which fails with the real error (EROFS).
 */
export async function makeFolder(path: string): Promise<void> {
  try {
    await mkdir(path, { recursive: true })
    return
  } catch (error) {
    if (errnoCode(error) !== 'ENOENT') throw error
    const real = await creationError(path)
    if (real !== undefined) throw real
  }
  // The ENOENT was a folder removed while being created (an emptied folder pruned): once more.
  await mkdir(path, { recursive: true })
}

/** The error of creating the first missing folder of `path` on its own, if it is not ENOENT. */
async function creationError(path: string): Promise<unknown> {
  let missing = path
  for (;;) {
    const parent = dirname(missing)
    if (parent === missing) return undefined
    try {
      await stat(parent)
      break
    } catch (error) {
      if (errnoCode(error) !== 'ENOENT') return error
      missing = parent
    }
  }
  try {
    await mkdir(missing)
    return undefined
  } catch (error) {
    const code = errnoCode(error)
    return code === 'ENOENT' || code === 'EEXIST' ? undefined : error
  }
}
