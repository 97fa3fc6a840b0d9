import type { Env } from '@cfb/storage-core'

/** Every setting the adapters read, by backend. */
export const SETTINGS: Record<string, readonly string[]> = {
  local: ['CFB_MODEL_DATA_ROOT'],
  s3: ['CFB_S3_BUCKET', 'CFB_S3_REGION', 'CFB_S3_ENDPOINT', 'CFB_S3_PREFIX', 'CFB_S3_FORCE_PATH_STYLE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE'],
  r2: ['CFB_R2_BUCKET', 'CFB_R2_ACCOUNT_ID', 'CFB_R2_ACCESS_KEY', 'CFB_R2_SECRET_KEY', 'CFB_R2_ENDPOINT', 'CFB_R2_JURISDICTION', 'CFB_R2_PREFIX'],
  memory: [],
}

const SECRET = /SECRET|ACCESS_KEY|TOKEN|PASSWORD|CREDENTIAL/i

/** A setting as it may be shown: secrets as `****`, never their value or length. */
export function shownValue(name: string, env: Env): string {
  const value = env[name]
  if (value === undefined || value === '') return '(not set)'
  return SECRET.test(name) ? '****' : value
}

/** Replaces every secret value from `env` found in `text` (a last guard for error messages). */
export function redact(text: string, env: Env): string {
  let out = text
  for (const [name, value] of Object.entries(env)) {
    if (value && value.length >= 4 && SECRET.test(name)) out = out.split(value).join('****')
  }
  return out
}
