// Child processes and ports for the release check.
import { spawn } from 'node:child_process'
import { createServer } from 'node:net'

/** Runs a command to completion; rejects with its exit code and output tail when it fails. */
export function run(command, args, { cwd, env, allowFailure = false } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => {
      stdout += d
    })
    child.stderr.on('data', (d) => {
      stderr += d
    })
    child.on('error', reject)
    child.on('close', (code) => {
      if (code === 0 || allowFailure) resolve({ code, stdout, stderr })
      else {
        const tail = `${stdout}\n${stderr}`.trim().split('\n').slice(-25).join('\n')
        reject(new Error(`${command} ${args.join(' ')} exited ${code}\n${tail}`))
      }
    })
  })
}

/** Starts a long-running server; its output is kept for the error message if it dies. */
export function start(command, args, { cwd, env } = {}) {
  const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  child.output = ''
  child.stdout.on('data', (d) => {
    child.output += d
  })
  child.stderr.on('data', (d) => {
    child.output += d
  })
  return child
}

/** Stops a server started here and waits for it to go (SIGKILL after 5 s). */
export function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
    child.on('exit', () => {
      clearTimeout(timer)
      resolve()
    })
    child.kill('SIGTERM')
  })
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

/** Polls a URL until it answers (any status), or fails after `seconds`. */
export async function waitForUrl(url, child, seconds = 60) {
  const deadline = Date.now() + seconds * 1000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited ${child.exitCode}:\n${child.output.slice(-2000)}`)
    try {
      await fetch(url)
      return
    } catch {
      await new Promise((r) => setTimeout(r, 250))
    }
  }
  throw new Error(`${url} did not answer within ${seconds} s:\n${child.output.slice(-2000)}`)
}
