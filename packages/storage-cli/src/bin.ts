#!/usr/bin/env node
import { outputFailure } from './io.js'
import { main } from './main.js'

// The AWS SDK prints a multi-line notice about future Node versions on Node 20, which would bury
// the one-line reasons the CLI promises on stderr. An operator can still turn it on with `false`.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'

const code = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env })
// Nobody reads what is left (`| head`): end now rather than after read-ahead or sockets settle.
if (outputFailure(process.stdout)) process.exit(code)
process.exitCode = code
