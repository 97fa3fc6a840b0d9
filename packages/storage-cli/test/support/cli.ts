import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The package directory: the bin runs with it as its working directory, as from a clone. */
export const PACKAGE_DIR = fileURLToPath(new URL('../..', import.meta.url))
/** The BUILT bin; these tests never import the sources they exercise. */
export const BIN = join(PACKAGE_DIR, 'dist', 'bin.js')

if (!existsSync(BIN)) {
  throw new Error(`${BIN} is missing: build the CLI first (pnpm --filter @cfb/storage-cli... build)`)
}

export type CliEnv = Record<string, string | undefined>

/**
 * The whole environment the bin sees: nothing from the developer's shell but PATH, and no AWS
 * profile or instance metadata to fall back on, so a test says exactly which settings exist.
 */
export function cliEnv(extra: CliEnv = {}): CliEnv {
  const nowhere = join(tmpdir(), 'cfb-storage-cli-e2e-no-such-dir')
  return {
    PATH: process.env.PATH,
    HOME: nowhere,
    AWS_CONFIG_FILE: join(nowhere, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(nowhere, 'credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    NO_COLOR: '1',
    ...extra,
  }
}

export interface CliResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

export interface RunOptions {
  env?: CliEnv
  cwd?: string
  /** Options for node itself, before the bin (`--cpu-prof`). */
  nodeOptions?: readonly string[]
  /** Kill the bin (SIGKILL) after this long; the test then fails on `signal`. Default 90 s. */
  timeoutMs?: number
}

/** A running bin, its output collected as it arrives. */
export interface CliProcess {
  child: ChildProcess
  readonly stdout: string
  readonly stderr: string
  /** Resolves once the process has exited and its streams are drained. */
  done: Promise<CliResult>
}

/** Spawns `node dist/bin.js ...args` with stdout and stderr as pipes (not a TTY). */
export function startCli(args: readonly string[], options: RunOptions = {}): CliProcess {
  const child = spawn(process.execPath, [...(options.nodeOptions ?? []), BIN, ...args], {
    cwd: options.cwd ?? PACKAGE_DIR,
    env: options.env ?? cliEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk
  })
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk
  })
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 90_000)
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, stdout, stderr })
    })
  })
  return {
    child,
    get stdout() {
      return stdout
    },
    get stderr() {
      return stderr
    },
    done,
  }
}

/** Runs the bin to completion. */
export function runCli(args: readonly string[], options: RunOptions = {}): Promise<CliResult> {
  return startCli(args, options).done
}

/** Lines of some output, without the empty line after the last newline. */
export function lines(text: string): string[] {
  return text.split('\n').filter((line, i, all) => line !== '' || i < all.length - 1)
}

/** A temporary directory per test file, removed afterwards. */
export async function makeTempDir(label: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `cfb-cli-${label}-`))
}

export async function removeDir(dir: string | undefined): Promise<void> {
  if (dir) await rm(dir, { recursive: true, force: true })
}

/**
 * Asserts how the bin ended; on a mismatch the error carries everything it printed, since an exit
 * code alone says little about why.
 */
export function expectExitCode(result: CliResult, code: number): void {
  if (result.code !== code || result.signal !== null) {
    throw new Error(
      `expected exit ${code}, got ${result.signal ?? `exit ${result.code}`}\n--- stderr:\n${result.stderr}--- stdout:\n${result.stdout.slice(0, 4000)}`,
    )
  }
}

/** `bin args | head -n 1` in bash: what head printed, and the bin's exit status and stderr. */
export function pipedToHead(dir: string, args: string[]): Promise<{ head: string; status: number; stderr: string }> {
  const quoted = args.map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ')
  const script = `'${process.execPath}' '${BIN}' ${quoted} 2>"$ERR" | head -n 1; echo "\${PIPESTATUS[0]}" >"$STATUS"`
  const err = join(dir, `stderr-${Math.random().toString(36).slice(2)}`)
  const status = `${err}.status`
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', script], { cwd: PACKAGE_DIR, env: { ...cliEnv(), ERR: err, STATUS: status }, stdio: ['ignore', 'pipe', 'inherit'] })
    let head = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      head += chunk
    })
    child.on('error', reject)
    child.on('close', async () => {
      resolve({ head, status: Number((await readFile(status, 'utf8')).trim()), stderr: await readFile(err, 'utf8') })
    })
  })
}
