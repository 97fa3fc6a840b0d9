import { spawn } from 'node:child_process'

/**
 * Runs a command on a pseudo-terminal (Python's pty module) so stdout and stderr are a TTY, and
 * types Ctrl-C once its output contains `interruptAfter`. Resolves with everything the terminal
 * showed and the exit code.
 */
export function runOnTerminal(command: readonly string[], interruptAfter: string, env: Record<string, string | undefined>): Promise<{ screen: string; code: number; interrupted: boolean }> {
  const script = `
import os, pty, sys, select
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
marker = sys.argv[1].encode()
out = b''
sent = False
while True:
    r, _, _ = select.select([fd], [], [], 0.05)
    if not r:
        continue
    try:
        chunk = os.read(fd, 65536)
    except OSError:
        break
    if not chunk:
        break
    out += chunk
    if not sent and marker in out:
        os.write(fd, b'\\x03')
        sent = True
_, status = os.waitpid(pid, 0)
sys.stdout.buffer.write(out)
sys.stderr.write(f'{os.waitstatus_to_exitcode(status)} {int(sent)}')
`
  return new Promise((resolve, reject) => {
    const child = spawn('python3', ['-c', script, interruptAfter, ...command], { env, stdio: ['ignore', 'pipe', 'pipe'] })
    let screen = ''
    let status = ''
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      screen += c
    })
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      status += c
    })
    child.on('error', reject)
    child.on('close', () => {
      const [code, sent] = status.trim().split(' ').slice(-2).map(Number)
      resolve({ screen, code: code!, interrupted: sent === 1 })
    })
  })
}
