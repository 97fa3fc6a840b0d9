import { lstat, readdir, unlink } from 'node:fs/promises'
import { join, relative, sep } from 'node:path'
import { isTempFileName } from './temp-names.js'

/**
 * Temp files a killed writer left under `dir` (listings never show them), older than `cutoff`
 * (ms since the epoch). Links are not followed, so nothing outside the root is touched.
 */
export async function removeTempFiles(root: string, dir: string, cutoff: number): Promise<string[]> {
  const removed: string[] = []
  const walk = async (folder: string): Promise<void> => {
    let entries: import('node:fs').Dirent[]
    try {
      entries = await readdir(folder, { withFileTypes: true })
    } catch {
      return // gone, or not a folder: nothing to clean
    }
    for (const entry of entries) {
      const path = join(folder, entry.name)
      if (entry.isDirectory()) await walk(path)
      else if (entry.isFile() && isTempFileName(entry.name)) {
        const stats = await lstat(path).catch(() => undefined)
        if (stats && stats.mtimeMs < cutoff) {
          await unlink(path).catch(() => {})
          removed.push(relative(root, path).split(sep).join('/'))
        }
      }
    }
  }
  await walk(dir)
  return removed
}
