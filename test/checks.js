// npm run checks: the type check, ESLint and knip. tsc and ESLint's type-aware rules share one
// TypeScript program, built and checked once: with ESLint building its own (projectService), the
// checker's work, most of either tool's cost, was done twice. knip runs beside them in its own
// process. Exits 1 if any of the three finds something; prints what each found.
import { spawn } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import process from 'node:process'
import { ESLint } from 'eslint'
import ts from 'typescript'

const ROOT = join(import.meta.dirname, '..')
const CACHE = join(ROOT, 'node_modules/.cache')

const knip = new Promise((resolve) => {
  const child = spawn(process.execPath, [join(ROOT, 'node_modules/knip/bin/knip.js'), '--cache', '--no-progress'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.on('data', (chunk) => { output += chunk })
  child.stderr.on('data', (chunk) => { output += chunk })
  child.on('close', (code) => resolve({ ok: code === 0, output }))
})

/** tsc --noEmit -p . (incremental: its build info in node_modules/.cache/tsc/), as a program ESLint can read. */
function typeCheck() {
  const config = ts.getParsedCommandLineOfConfigFile(join(ROOT, 'tsconfig.json'), undefined, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (diagnostic) => { throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')) },
  })
  mkdirSync(join(CACHE, 'tsc'), { recursive: true })
  const builder = ts.createIncrementalProgram({
    rootNames: config.fileNames,
    options: config.options,
    configFileParsingDiagnostics: ts.getConfigFileParsingDiagnostics(config),
    projectReferences: config.projectReferences,
  })
  const diagnostics = [
    ...builder.getConfigFileParsingDiagnostics(),
    ...builder.getOptionsDiagnostics(),
    ...builder.getGlobalDiagnostics(),
    ...builder.getSyntacticDiagnostics(),
    ...builder.getSemanticDiagnostics(),
  ]
  // noEmit: this writes the build info only.
  builder.emit()
  const host = { getCanonicalFileName: (name) => name, getCurrentDirectory: () => ROOT, getNewLine: () => '\n' }
  const format = process.stdout.isTTY ? ts.formatDiagnosticsWithColorAndContext : ts.formatDiagnostics
  const report = diagnostics.length ? format(ts.sortAndDeduplicateDiagnostics(diagnostics), host) : ''
  return { ok: diagnostics.length === 0, output: report, program: builder.getProgram() }
}

async function lint(program) {
  // ESLint hashes each file's configuration for its cache; a Program cannot be serialised, so it
  // stands in the hash as a name (the files' contents are what the cache is keyed by).
  const programs = Object.assign([program], { toJSON: () => 'tsconfig.json' })
  const eslint = new ESLint({
    cwd: ROOT,
    cache: true,
    cacheStrategy: 'content',
    cacheLocation: join(CACHE, 'eslint/'),
    overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parserOptions: { projectService: false, programs } } }],
  })
  const results = await eslint.lintFiles(['.'])
  const formatter = await eslint.loadFormatter('stylish')
  const output = await formatter.format(results)
  return { ok: results.every((result) => result.errorCount === 0), output }
}

const types = typeCheck()
const found = [types, await lint(types.program), await knip]
for (const { output } of found) if (output.trim()) process.stdout.write(output.endsWith('\n') ? output : `${output}\n`)
process.exitCode = found.every(({ ok }) => ok) ? 0 : 1
