#!/usr/bin/env node
import { main } from './main.js'

// The AWS SDK prints a multi-line notice about future Node versions on Node 20, which would bury
// the one-line reasons the CLI promises on stderr. An operator can still turn it on with `false`.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'

process.exitCode = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env })
