#!/usr/bin/env node
import module from 'node:module'

// Node 22.1 and later keep the compiled code of the modules below between runs (in the folder that
// NODE_COMPILE_CACHE names, else one under the system's temp folder): about 20 ms of each start.
// (Node 20's types, which this package builds against, do not have it.)
;(module as { enableCompileCache?: () => unknown }).enableCompileCache?.()
const { outputFailure } = await import('./io.js')
const { main } = await import('./main.js')

// The AWS SDK prints a multi-line notice about future Node versions on Node 20, which would bury
// the one-line reasons the CLI promises on stderr. An operator can still turn it on with `false`.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'

const code = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env })
// Nobody reads what is left (`| head`): end now rather than after read-ahead or sockets settle.
if (outputFailure(process.stdout)) process.exit(code)
process.exitCode = code
