// Every file a run writes is searched for secrets, and holds none. A child Vitest run, in a temp
// directory, of a test file that asserts on a configured SAS URL and account key and on a SAS and
// a key made at run time (as Azurite's are), in raw, percent-encoded and percent-decoded form,
// attaches them, writes them into its run directory (through the harness, directly as a tool
// would, and gzipped) and fails one assertion whose message holds a SAS — with the allure,
// HTML and blob reporters named on the command line as a user would — then `npm run report`'s
// Allure report. Every file under results/, allure-results/, allure-report/ and .vitest/ (the HTML
// report, its attachments and the blob report; compressed files decompressed, base64 values
// decoded) is searched with the probe tests' secret search for each secret in each form.
// The same run with scrubbing switched off (the test-only switch) proves the search able to fail:
// it finds the secrets in every one of those places.
import { spawn } from 'node:child_process'
import { mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { secretLeaks, signatureForms } from '../probe/test-support.ts'
import { regularFiles } from './files.ts'
import { AZURITE_WELL_KNOWN_KEY, OutputScrubber, UNSCRUBBED_ENV } from './scrubber.ts'
import { base64Secret, outputTexts, sasUrl } from './test-support.ts'

const repo = join(import.meta.dirname, '../..')
const scratch: string[] = []
const children = new Set<number>()
afterAll(() => {
  for (const pid of children) {
    try {
      process.kill(-pid, 'SIGKILL')
    } catch {
      // already gone
    }
  }
  scratch.forEach((d) => rmSync(d, { recursive: true, force: true }))
})

const configuredSas = sasUrl('https://benchacct.blob.core.windows.net/volumes')
const configuredKey = base64Secret(64)
const runtimeSas = sasUrl('http://127.0.0.1:10000/devstoreaccount1/probe')
const runtimeKey = base64Secret(64)

const keyForms = (k: string) => [k, encodeURIComponent(k)]
const SECRETS = [
  ...signatureForms(configuredSas),
  ...signatureForms(runtimeSas),
  ...keyForms(configuredKey),
  ...keyForms(runtimeKey),
  ...keyForms(AZURITE_WELL_KNOWN_KEY),
]
/** …and the first 16 characters of each: a secret cut short (by a step's or a message's truncation) leaks its start. */
const SEARCHED = [...SECRETS, ...SECRETS.map((f) => f.slice(0, 16))]
/** The child runs' terminal output holds the secrets (Vitest prints a failed assertion's diff): scrubbed before any message shows it. */
const quiet = new OutputScrubber(SECRETS)
const OUTPUTS = ['results', 'allure-results', 'allure-report', '.vitest'] as const
/** Vitest's results cache (test names, durations, states): searched as well. */
const CACHES = ['.vite'] as const
const INPUTS = ['package.json', 'vitest.config.ts', 'leak.test.ts', 'benchgate.config.yaml']

// the test file of the child run (with no "sig" and "=" side by side: the search flags any such spelling);
// the run-time SAS and key are literals (so the source the HTML
// report carries holds them too), the configured ones come from the environment
const LEAK_TEST = `
import { writeFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import { attachment } from 'allure-js-commons'
import { expect, test } from ${JSON.stringify(join(repo, 'harness/test.ts'))}

const configured = process.env.BG_LEAK_SAS_URL!
const key = process.env.BG_LEAK_KEY!
const runtime = ${JSON.stringify(runtimeSas)}
const runtimeKey = ${JSON.stringify(runtimeKey)}
const azurite = ${JSON.stringify(AZURITE_WELL_KNOWN_KEY)}
const signatureOf = (url: string) => /[?&]sig[=]([^&]+)/.exec(url)![1]!

test('assertions on SAS URLs and account keys', async ({ run, annotate }) => {
  for (const url of [configured, runtime]) {
    const sig = signatureOf(url)
    expect(url).toContain('sv=')
    expect(decodeURIComponent(url)).toContain('sp=')
    expect(encodeURIComponent(url)).toContain('sv%3D')
    expect([\`missing-share-\${sig}-2\`]).toHaveLength(1)
    expect([\`\${'x'.repeat(150)}-\${sig}\`]).toHaveLength(1)
    expect(decodeURIComponent(sig)).toMatch(/=$/)
  }
  for (const k of [key, runtimeKey, azurite]) {
    expect(k).toHaveLength(88)
    expect(encodeURIComponent(k)).toContain('%3D%3D')
    expect(\`DefaultEndpointsProtocol=https;AccountName=benchacct;AccountKey=\${k};EndpointSuffix=core.windows.net\`).toContain('AccountName')
  }
  const log = \`GET \${configured}\\nGET \${runtime}\\nkeys \${key} \${runtimeKey} \${encodeURIComponent(key)}\\n\`
  run.writeArtifact('request.log', log)
  writeFileSync(run.path('tool.log'), log)
  run.addArtifact('tool.log')
  writeFileSync(run.path('tool.log.gz'), gzipSync(log))
  run.addArtifact('tool.log.gz')
  await attachment('sas.txt', log, 'text/plain')
  await annotate(\`reading \${runtime}\`, { body: log, contentType: 'text/plain' })
  await annotate('tool log', { path: run.path('tool.log') })
})

test('a failed assertion holds a SAS in its message', () => {
  expect(\`\${runtime}&x=1\`).toBe(configured)
})

test('a failed assertion holds the start of a key in its message', () => {
  expect(runtimeKey).toHaveLength(3)
})
`

interface Outcome {
  dir: string
  code: number
  output: string
  seconds: number
}

function runNode(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
    children.add(child.pid!)
    let output = ''
    child.stdout.on('data', (d) => (output += d))
    child.stderr.on('data', (d) => (output += d))
    const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 90_000)
    child.once('error', reject)
    child.once('exit', (code, signal) => {
      clearTimeout(timer)
      children.delete(child.pid!)
      resolve({ code: code ?? (signal ? 128 : -1), output: quiet.text(output) })
    })
  })
}

/** The child run and its Allure report, in a fresh temp directory; scrubbing off when asked. */
async function leakyRun(scrub: boolean): Promise<Outcome> {
  const started = performance.now()
  const dir = realpathSync(mkdtempSync(join(tmpdir(), `bg-secrets-${scrub ? 'on' : 'off'}-`)))
  scratch.push(dir)
  symlinkSync(join(repo, 'node_modules'), join(dir, 'node_modules'), 'dir')
  writeFileSync(join(dir, 'package.json'), '{ "type": "module", "private": true }\n')
  writeFileSync(join(dir, 'benchgate.config.yaml'), 'azure:\n  account: benchacct\n  sas_url: ${BG_LEAK_SAS_URL}\n  key: ${BG_LEAK_KEY}\n')
  writeFileSync(join(dir, 'vitest.config.ts'), [
    `import { defineConfig } from 'vitest/config'`,
    `import { scrubOutputs } from ${JSON.stringify(join(repo, 'reporters/scrub-outputs.ts'))}`,
    // Vite's and Vitest's caches in here, not in the project's node_modules
    `export default defineConfig({ cacheDir: '.vite', plugins: [scrubOutputs()], test: { include: ['leak.test.ts'], testTimeout: 30_000 } })`,
    '',
  ].join('\n'))
  writeFileSync(join(dir, 'leak.test.ts'), LEAK_TEST)
  const env: NodeJS.ProcessEnv = { ...process.env, CI: 'true', NO_COLOR: '1', FORCE_COLOR: '0', BENCHGATE_CONFIG: join(dir, 'benchgate.config.yaml'), BG_LEAK_SAS_URL: configuredSas, BG_LEAK_KEY: configuredKey }
  for (const k of ['BENCHGATE_RUN_STAMP', 'VITEST', 'VITEST_WORKER_ID', 'VITEST_POOL_ID', 'ALLURE_TEST_MODE', UNSCRUBBED_ENV]) delete env[k]
  if (!scrub) env[UNSCRUBBED_ENV] = dir
  const vitest = await runNode(
    [join(repo, 'node_modules/vitest/vitest.mjs'), 'run', '--reporter=dot', '--reporter=html', '--reporter=blob', '--reporter=allure-vitest/reporter'],
    dir,
    env,
  )
  const report = await runNode([join(repo, 'harness/secrets/allure-report.ts')], dir, env)
  expect(report.code, `${vitest.output}\n${report.output}`).toBe(0) // (outputs scrubbed: see quiet)
  return { dir, code: vitest.code, output: `${vitest.output}\n${report.output}`, seconds: (performance.now() - started) / 1000 }
}

/** Where each secret appears, per output directory. */
function leaksByOutput(dir: string): Record<string, string[]> {
  return Object.fromEntries([...OUTPUTS, ...CACHES].map((o) => [o, secretLeaks(outputTexts(join(dir, o)), SEARCHED)]))
}

describe('no secret in any file a run writes', () => {
  let scrubbed: Outcome
  let unscrubbed: Outcome

  test('the child runs (scrubbing on, and off for the proof) wrote every kind of output', async () => {
    // both to the end, even when one fails (a child killed while publishing would leave its private temp directory)
    const [on, off] = await Promise.allSettled([leakyRun(true), leakyRun(false)])
    if (on.status === 'rejected') throw on.reason
    if (off.status === 'rejected') throw off.reason
    ;[scrubbed, unscrubbed] = [on.value, off.value]
    for (const r of [scrubbed, unscrubbed]) {
      expect(r.code, r.output).toBe(1) // two tests fail on purpose
      expect(r.output).toMatch(/2 failed \| 1 passed/)
      const files = regularFiles(r.dir).map((f) => f.slice(r.dir.length + 1)).filter((f) => !f.startsWith('node_modules/'))
      // nothing written outside the searched directories
      expect(files.filter((f) => !INPUTS.includes(f) && ![...OUTPUTS, ...CACHES].some((o) => f.startsWith(`${o}/`)))).toEqual([])
      for (const pattern of [/^results\/\d{8}T\d{6}Z\/.+\/request\.log$/, /^results\/.+\/tool\.log\.gz$/, /^allure-results\/.+-result\.json$/, /^allure-results\/.+-attachment\.txt$/,
        /^allure-report\/data\/test-results\/.+\.json$/, /^\.vitest\/ui\/html\.meta\.json\.gz$/, /^\.vitest\/index\.html$/, /^\.vitest\/attachments\/.+/, /^\.vitest\/blob\/blob\.json$/]) {
        expect(files.some((f) => pattern.test(f)), `${pattern}\n${files.join('\n')}`).toBe(true)
      }
    }
    console.log(`secrets test: ${SECRETS.length} secret forms and their 16-character starts; child run + Allure report ${scrubbed.seconds.toFixed(1)} s scrubbed, ${unscrubbed.seconds.toFixed(1)} s unscrubbed (in parallel)`)
  }, 180_000)

  test('scrubbing on: no secret in results/, allure-results/, allure-report/, the HTML report or the blob report', () => {
    expect(scrubbed.output).not.toMatch(/scrubbing is OFF/)
    const leaks = leaksByOutput(scrubbed.dir)
    console.log(`secrets test, scrubbed: ${OUTPUTS.map((o) => `${o} ${outputTexts(join(scrubbed.dir, o)).length} texts, ${leaks[o]!.length} leaks`).join('; ')}`)
    expect(leaks).toEqual(Object.fromEntries([...OUTPUTS, ...CACHES].map((o) => [o, []])))
  })

  test('scrubbing off (test-only switch): the same search finds the secrets in every one of them', () => {
    expect(unscrubbed.output).toMatch(/scrubbing is OFF/)
    const leaks = leaksByOutput(unscrubbed.dir)
    console.log(`secrets test, unscrubbed: ${OUTPUTS.map((o) => `${o} ${leaks[o]!.length} leaks`).join('; ')}`)
    for (const o of OUTPUTS) expect(leaks[o]!.length, o).toBeGreaterThan(0)
    const where = (prefix: string) => Object.values(leaks).flat().some((l) => l.startsWith(prefix))
    // each kind of output on its own: the blob, the HTML data (decompressed), a gzipped artifact
    expect(where('blob/blob.json:')).toBe(true)
    expect(where('ui/html.meta.json.gz:')).toBe(true)
    expect(Object.values(leaks).flat().some((l) => /tool\.log\.gz: /.test(l))).toBe(true)
    // every secret form is found somewhere
    const all = Object.values(leaks).flat().join('\n')
    SEARCHED.forEach((_, i) => expect(all, `secret #${i + 1}`).toMatch(new RegExp(`secret #${i + 1}$`, 'm')))
  })
})
