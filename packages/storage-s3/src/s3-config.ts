import { type Env, StorageError } from '@cfb/storage-core'
import { S3Storage, type S3StorageOptions } from './s3-storage.js'

/** Reads a boolean setting the way operators write them; a typo is a `CONFIG` error, not `false`. */
export function envFlag(value: string | undefined, name = 'a boolean setting'): boolean | undefined {
  if (value === undefined || value.trim() === '') return undefined
  if (/^(1|true|yes|on)$/i.test(value.trim())) return true
  if (/^(0|false|no|off)$/i.test(value.trim())) return false
  throw new StorageError('CONFIG', `${name} must be true or false (or 1/0, yes/no, on/off)`, { backend: 's3' })
}

/** Throws one `CONFIG` error naming every missing variable, and never a value. */
export function requireEnv(env: Env, names: readonly string[], backend: string): void {
  const missing = names.filter((name) => (env[name] ?? '').trim() === '')
  if (missing.length > 0) {
    throw new StorageError(
      'CONFIG',
      `CFB_STORAGE_BACKEND=${backend} needs ${missing.join(', ')} (see .env.example)`,
      { backend },
    )
  }
}

/**
 * Options from `CFB_S3_BUCKET` (required), `CFB_S3_REGION` (default `us-east-1`), `CFB_S3_ENDPOINT`,
 * `CFB_S3_PREFIX`, `CFB_S3_FORCE_PATH_STYLE`. Credentials come from the SDK's default chain,
 * which reads `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` / `AWS_SESSION_TOKEN` first.
 */
export function s3OptionsFromEnv(env: Env): S3StorageOptions {
  requireEnv(env, ['CFB_S3_BUCKET'], 's3')
  const accessKeyId = env.AWS_ACCESS_KEY_ID?.trim()
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY?.trim()
  // Half a key pair would silently fall back to the SDK's default chain: name what is missing.
  if (Boolean(accessKeyId) !== Boolean(secretAccessKey)) {
    requireEnv(env, ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'], 's3')
  }
  return {
    bucket: env.CFB_S3_BUCKET!.trim(),
    region: env.CFB_S3_REGION?.trim() || 'us-east-1',
    endpoint: env.CFB_S3_ENDPOINT?.trim() || undefined,
    prefix: env.CFB_S3_PREFIX?.trim() || undefined,
    forcePathStyle: envFlag(env.CFB_S3_FORCE_PATH_STYLE, 'CFB_S3_FORCE_PATH_STYLE'),
    // An explicit env object (not process.env) must win over the SDK reading process.env itself.
    credentials:
      accessKeyId && secretAccessKey
        ? { accessKeyId, secretAccessKey, sessionToken: env.AWS_SESSION_TOKEN?.trim() || undefined }
        : undefined,
  }
}

/** What `getStorage()` calls for `CFB_STORAGE_BACKEND=s3`. */
export function createStorage(env: Env): S3Storage {
  return new S3Storage(s3OptionsFromEnv(env))
}
