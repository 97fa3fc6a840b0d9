import { spawnSync } from 'node:child_process'
import { delimiter, join } from 'node:path'

// The interop and moto tests run `python3`, which must have these packages. `npx` puts Node's own
// folder (/usr/bin on Debian) first on PATH, hiding a pyenv or venv Python that has them; put the
// first python3 on PATH that has them first, once, for every test process jest starts.
const PYTHON_PACKAGES = ['pyarrow', 'polars', 'duckdb', 'moto', 'werkzeug']

function hasPackages(python) {
  const script = `import importlib.util, sys; sys.exit(0 if all(importlib.util.find_spec(m) for m in sys.argv[1:]) else 1)`
  return spawnSync(python, ['-c', script, ...PYTHON_PACKAGES], { stdio: 'ignore', timeout: 30_000 }).status === 0
}

function putPythonWithPackagesFirst() {
  const folders = (process.env.PATH ?? '').split(delimiter).filter(Boolean)
  const index = folders.findIndex((folder) => hasPackages(join(folder, 'python3')))
  if (index > 0) process.env.PATH = [folders[index], ...folders].join(delimiter)
}

// Shared jest settings: ESM mode (run with --experimental-vm-modules), TypeScript through swc.
export function jestConfig(overrides = {}) {
  putPythonWithPackagesFirst()
  return {
    testEnvironment: 'node',
    extensionsToTreatAsEsm: ['.ts'],
    transform: {
      '^.+\\.ts$': [
        '@swc/jest',
        { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'es6' } },
      ],
    },
    // Sources import './x.js' as NodeNext wants; map those to the .ts files under test.
    moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
    testMatch: ['<rootDir>/test/**/*.test.ts'],
    testTimeout: 60_000,
    ...overrides,
  }
}
