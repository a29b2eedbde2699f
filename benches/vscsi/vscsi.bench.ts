// vscsi: does the fio job generated from a VM's vscsiStats capture reproduce its workload, and is
// the analysis fast enough for long captures?
//
//   closed loop   synthetic cumulative captures of a VM (70 % reads of 4/8/64 KiB, writes of 4/16
//                 KiB, 30 % sequential, queue depth 8) printed in the real `vscsiStats -p all -c`
//                 text, parsed back, differenced into interval samples, filtered to the peak and
//                 turned into a fio job; Debian's fio runs it against a 256 MiB file on a real disk
//                 and its JSON output must show the profile's read share (± 3 points) and mean
//                 block size (± 5 %). A second VM has sizes between the bucket limits (20, 24,
//                 96 KiB, 768 KiB in the overflow) and uneven shares: fio must match the
//                 capture's exact mean block size (vscsiStats' mean × count, not the profile's)
//                 within 5 % and its read share within 3 points. 5 s of fio each.
//   speed         100 samples × 8 disks analyzed in under 1 s, beside parsing the same captures
//                 and JSON.parse of the same samples, measured in the same run.
//   gates         vscsi.gates from the config, and a test-local gate, on the analyzed profile.
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statfsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, REPO_ROOT, test, type HarnessFixtures } from '../../harness/test.ts'
import { analysisOptions, analyzeSamples, checkGates, figureUnit, filterSamples, formatGates, profileFigures, type Profile } from '../../harness/vscsi/analysis.ts'
import { fioJob, fioParseOnly } from '../../harness/vscsi/fio.ts'
import { parseCapture, intervalSamples, renderCapture } from '../../harness/vscsi/format/capture.ts'
import { analysisCharts, writeAnalysis } from '../../harness/vscsi/report.ts'
import { synthCaptures, type WorkloadSpec } from '../../harness/vscsi/synth.ts'
import type { Capture, DiskId, IntervalSample } from '../../harness/vscsi/types.ts'

const RUNTIME_S = 5 // short on purpose: the mix converges within seconds; config.vscsi.fio_runtime_s is for real replays
const FILE_SIZE = '256m'
const START = new Date('2026-11-24T10:00:00Z')
const TMPFS_MAGIC = 0x01021994

const VM_DISKS: DiskId[] = [
  { worldGroupId: 2099979, handleId: 8194, device: 'scsi0:0', vm: 'db01' },
  { worldGroupId: 2099979, handleId: 8195, device: 'scsi0:1', vm: 'db01' },
]

/** The VM: busier in the middle of the capture, the same mix throughout. */
function vmWorkload(_disk: DiskId, k: number): WorkloadSpec {
  return {
    iops: 600 + 400 * Math.sin((k / 30) * Math.PI),
    readShare: 0.7,
    readSizes: { 4096: 50, 8192: 30, 65536: 20 },
    writeSizes: { 4096: 70, 16384: 30 },
    sequentialShare: 0.3,
    outstanding: 8,
    readLatencyUs: 800,
    writeLatencyUs: 2000,
  }
}

/**
 * A VM whose sizes sit between the ioLength bucket limits (20 KiB and 24 KiB in (16384, 32768],
 * 96 KiB in (81920, 131072], 768 KiB in the overflow) with shares that do not round evenly: the
 * bucket limits would overstate it (20 KiB as 32 KiB), so only the exact bytes reproduce it.
 */
function oddWorkload(_disk: DiskId, k: number): WorkloadSpec {
  return {
    iops: 500 + 300 * Math.sin((k / 30) * Math.PI),
    readShare: 0.63,
    readSizes: { 20480: 40, 4096: 35, 131072: 25 },
    writeSizes: { 24576: 47, 8192: 31, 98304: 15, 786432: 7 },
    sequentialShare: 0.1,
    outstanding: 6,
    readLatencyUs: 1500,
    writeLatencyUs: 900,
  }
}

function requireFio(): string {
  const r = spawnSync('fio', ['--version'], { encoding: 'utf8' })
  if (r.error || r.status !== 0) {
    throw new Error(`fio is not installed or does not run (${r.error?.message ?? `exit ${r.status}`}): run bash scripts/install-debian-packages.sh`)
  }
  return r.stdout.trim()
}

/** Captures printed as vscsiStats prints them and parsed back (the real text path). */
function throughText(captures: Capture[], dir: string): Capture[] {
  return captures.map((c, i) => {
    const file = join(dir, `capture-${String(i).padStart(3, '0')}.txt`)
    writeFileSync(file, renderCapture(c.disks))
    return { at: c.at, disks: parseCapture(readFileSync(file, 'utf8'), file) }
  })
}

interface WorkDir {
  dir: string
  direct: boolean
  note: string
  release: () => void
}

/** A directory on a real disk for fio's O_DIRECT file: the temp dir, else .benchgate-cache/. */
function fioWorkDir(tempDir: string): WorkDir {
  if (statfsSync(tempDir).type !== TMPFS_MAGIC) return { dir: tempDir, direct: true, note: `temp dir ${tempDir}`, release: () => {} }
  const cache = join(REPO_ROOT, '.benchgate-cache')
  mkdirSync(cache, { recursive: true })
  if (statfsSync(cache).type !== TMPFS_MAGIC) {
    const dir = mkdtempSync(join(cache, 'vscsi-fio-'))
    return { dir, direct: true, note: `${dir} (the temp dir is tmpfs)`, release: () => rmSync(dir, { recursive: true, force: true }) }
  }
  return { dir: tempDir, direct: false, note: `${tempDir} with direct=0: both the temp dir and .benchgate-cache/ are tmpfs, which may refuse O_DIRECT`, release: () => {} }
}

interface FioSide {
  reads: number
  writes: number
  readBytes: number
  writeBytes: number
  iops: number
}

function fioSide(jsonText: string): FioSide {
  const json = JSON.parse(jsonText.slice(jsonText.indexOf('{'))) as { jobs: Array<{ read: { io_bytes: number; total_ios: number; iops: number }; write: { io_bytes: number; total_ios: number; iops: number } }> }
  const j = json.jobs[0]!
  return { reads: j.read.total_ios, writes: j.write.total_ios, readBytes: j.read.io_bytes, writeBytes: j.write.io_bytes, iops: j.read.iops + j.write.iops }
}

function describeProfile(p: Profile): string {
  const f = profileFigures(p)
  return Object.entries(f).map(([k, v]) => `${k}=${Number.isFinite(v) ? Number(v.toFixed(3)) : 'n/a'}`).join(' ')
}

/** Reads, writes and the exact bytes of the kept samples, from vscsiStats' own mean × count (not from the profile). */
function captureTruth(kept: readonly IntervalSample[]): { reads: number; writes: number; readBytes: number; writeBytes: number } {
  const t = { reads: 0, writes: 0, readBytes: 0, writeBytes: 0 }
  for (const s of kept) {
    for (const h of s.histograms) {
      if (h.metric !== 'ioLength' || h.op === 'all') continue
      if (h.op === 'read') {
        t.reads += h.count
        t.readBytes += h.mean * h.count
      } else {
        t.writes += h.count
        t.writeBytes += h.mean * h.count
      }
    }
  }
  return t
}

interface LoopCase {
  name: string
  seed: number
  workload: (disk: DiskId, k: number) => WorkloadSpec
}

async function closedLoop(c: LoopCase, { config, run, kpi, tempDir, spawn, publish }: Pick<HarnessFixtures, 'config' | 'run' | 'kpi' | 'tempDir' | 'spawn' | 'publish'>): Promise<void> {
  const fioVersion = requireFio()
  const o = analysisOptions(config.vscsi)
  const dir = join(tempDir, c.name)
  mkdirSync(dir, { recursive: true })
  const captures = throughText(synthCaptures({ disks: VM_DISKS, samples: 30, intervalS: 60, seed: c.seed, start: START, workload: c.workload }), dir)
  const samples = intervalSamples(captures)
  const profile = analyzeSamples(samples, o, 30)
  const { kept } = filterSamples(samples, o)
  const work = fioWorkDir(tempDir)
  try {
    mkdirSync(run.path(`${c.name}/fio`), { recursive: true })
    let job = fioJob(profile, { runtimeS: RUNTIME_S, filename: join(work.dir, `${c.name}.dat`), size: FILE_SIZE, name: c.name, logPrefix: run.path(`${c.name}/fio/${c.name}`) })
    if (!work.direct) job = job.replace(/^direct=1$/m, 'direct=0')
    const files = writeAnalysis(run.path(`${c.name}/vscsi-analysis`), samples, kept, profile, { ...o, fio: job })
    for (const f of files) run.addArtifact(f.slice(run.dir.length + 1))
    const jobFile = run.path(`${c.name}/vscsi-analysis/profile.fio`)
    expect(fioParseOnly(jobFile), 'fio --parse-only profile.fio').toEqual({ ok: true, status: 0, output: '' })

    console.log(`vscsi ${c.name}: ${fioVersion}, file in ${work.note}, ${RUNTIME_S} s\nprofile: ${describeProfile(profile)}\n${job}`)
    run.mark(`${c.name}_fio_start`, `${RUNTIME_S} s`)
    const p = spawn('fio', ['--output-format=json', `--output=${run.path(`${c.name}/fio/fio.json`)}`, jobFile], { cwd: work.dir, stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    p.child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()))
    const code = await p.exited
    run.mark(`${c.name}_fio_end`, `exit ${code}`)
    run.addArtifact(`${c.name}/fio/fio.json`)
    // fio warns about bs_unaligned with direct=1 whatever the sizes; ours are all sector multiples
    const complaints = stderr.split('\n').filter((l) => l.trim() && l.trim() !== 'fio: bs_unaligned may not work with raw io').join('\n')
    expect(`${code} ${complaints}`.trim(), 'fio ran the job').toBe('0')
    const fio = fioSide(readFileSync(run.path(`${c.name}/fio/fio.json`), 'utf8'))
    const truth = captureTruth(kept)

    const fioReadPct = (fio.reads / (fio.reads + fio.writes)) * 100
    const fioMeanBlock = (fio.readBytes + fio.writeBytes) / (fio.reads + fio.writes)
    const profileReadPct = profile.read_ratio * 100
    const profileMeanBlock = profile.mean_block_bytes.all
    const captureReadPct = (truth.reads / (truth.reads + truth.writes)) * 100
    const captureMeanBlock = (truth.readBytes + truth.writeBytes) / (truth.reads + truth.writes)
    const k = (name: string) => `${c.name}_${name}`
    kpi(k('capture_read_pct'), captureReadPct, '%')
    kpi(k('profile_read_pct'), profileReadPct, '%')
    kpi(k('fio_read_pct'), fioReadPct, '%')
    kpi(k('capture_mean_block_kib'), captureMeanBlock / 1024, 'KiB')
    kpi(k('profile_mean_block_kib'), profileMeanBlock / 1024, 'KiB')
    kpi(k('fio_mean_block_kib'), fioMeanBlock / 1024, 'KiB')
    kpi(k('fio_read_block_kib'), fio.readBytes / fio.reads / 1024, 'KiB')
    kpi(k('fio_write_block_kib'), fio.writeBytes / fio.writes / 1024, 'KiB')
    kpi(k('fio_iops'), fio.iops, 'IOPS', { better: 'higher' })
    for (const name of ['iops_total', 'MB_s_total', 'read_lat_p99_ms', 'write_lat_p99_ms', 'qd_avg', 'qd_p50', 'sequential_pct'] as const) {
      kpi(k(`profile_${name}`), profileFigures(profile)[name]!, figureUnit(name))
    }
    const pct = (a: number, b: number) => `${(((a / b) - 1) * 100).toFixed(2)} %`
    console.log(
      `${c.name}: read share capture ${captureReadPct.toFixed(2)} %, profile ${profileReadPct.toFixed(2)} %, fio ${fioReadPct.toFixed(2)} % (Δ ${(fioReadPct - captureReadPct).toFixed(2)} points); ` +
        `mean block capture ${(captureMeanBlock / 1024).toFixed(2)} KiB, profile ${(profileMeanBlock / 1024).toFixed(2)} KiB (${pct(profileMeanBlock, captureMeanBlock)}), fio ${(fioMeanBlock / 1024).toFixed(2)} KiB (${pct(fioMeanBlock, captureMeanBlock)}); ` +
        `read block capture ${(truth.readBytes / truth.reads / 1024).toFixed(2)}, fio ${(fio.readBytes / fio.reads / 1024).toFixed(2)} KiB; ` +
        `write block capture ${(truth.writeBytes / truth.writes / 1024).toFixed(2)}, fio ${(fio.writeBytes / fio.writes / 1024).toFixed(2)} KiB; ` +
        `bssplit ${/^bssplit=(.*)$/m.exec(job)?.[1]}; ${fio.reads + fio.writes} IOs, ${fio.iops.toFixed(0)} IOPS`,
    )
    await publish({ charts: analysisCharts(samples, kept, profile, o).map((ch) => ({ name: `${c.name}-${ch.name}`, svg: ch.chart.svg, caption: ch.caption })), dir: run.path(`${c.name}/charts`) })

    expect(profile.warnings, 'a complete capture analyzes without warnings').toEqual([])
    expect(profile.samples_kept, 'the peak filter kept some intervals, not all').toBeLessThan(profile.samples_total)
    expect(Math.abs(profileMeanBlock / captureMeanBlock - 1), 'the profile\'s mean block size is the capture\'s exact one').toBeLessThanOrEqual(0.001)
    expect(fio.reads + fio.writes, 'fio issued IOs').toBeGreaterThan(1000)
    expect(Math.abs(fioReadPct - captureReadPct), 'fio read share within 3 percentage points of the capture').toBeLessThanOrEqual(3)
    expect(Math.abs(fioReadPct - profileReadPct), 'fio read share within 3 percentage points of the profile').toBeLessThanOrEqual(3)
    expect(Math.abs(fioMeanBlock / captureMeanBlock - 1), 'fio mean block size within 5 % of the capture\'s exact mean').toBeLessThanOrEqual(0.05)
  } finally {
    work.release()
  }
}

test('closed loop: the fio job from a capture reproduces its read share and mean block size', async ({ config, run, kpi, tempDir, spawn, publish }) => {
  await closedLoop({ name: 'vscsi-closed-loop', seed: 6, workload: vmWorkload }, { config, run, kpi, tempDir, spawn, publish })
})

test('closed loop, sizes off the bucket limits and uneven shares: fio reproduces the capture\'s exact mean block size', async ({ config, run, kpi, tempDir, spawn, publish }) => {
  await closedLoop({ name: 'vscsi-closed-loop-odd', seed: 11, workload: oddWorkload }, { config, run, kpi, tempDir, spawn, publish })
})

test('analysis speed: 100 samples × 8 disks under 1 s, beside parsing the same captures', async ({ config, bench, kpi, publish }) => {
  const o = analysisOptions(config.vscsi)
  const disks: DiskId[] = Array.from({ length: 8 }, (_, i) => ({ worldGroupId: 2099979, handleId: 8194 + i, device: `scsi0:${i}`, vm: 'big01' }))
  const captures = synthCaptures({ disks, samples: 100, intervalS: 60, seed: 8, start: START, workload: vmWorkload })
  const texts = captures.map((c) => renderCapture(c.disks))
  const samples = intervalSamples(captures)
  const json = JSON.stringify(samples)
  expect(samples, '100 intervals × 8 disks').toHaveLength(800)

  // what `vscsi-helper analyze` does with a job's saved captures: parse, difference, analyze
  const fromText = () => analyzeSamples(intervalSamples(texts.map((t, i) => ({ at: captures[i]!.at, disks: parseCapture(t, `capture-${i}.txt`) }))), o, 100)
  const t0 = performance.now()
  const first = fromText()
  const coldMs = performance.now() - t0
  expect(first.samples_total).toBe(100)
  expect(first.disks_total).toBe(8)

  const names = { whole: 'parse + difference + analyze 100×8', analyze: 'analyzeSamples 100×8', parse: 'parseCapture of the 101 captures', json: 'JSON.parse of the 800 samples' } as const
  const results = await bench.compare(
    bench(names.whole, () => {
      fromText()
    }),
    bench(names.analyze, () => {
      analyzeSamples(samples, o, 100)
    }),
    bench(names.parse, () => {
      for (let i = 0; i < texts.length; i++) parseCapture(texts[i]!, `capture-${i}.txt`)
    }),
    bench(names.json, () => {
      JSON.parse(json)
    }),
    { iterations: 20, time: 3000 },
  )
  const wholeMs = results.get(names.whole).latency.p50
  const analyzeMs = results.get(names.analyze).latency.p50
  const parseMs = results.get(names.parse).latency.p50
  const jsonMs = results.get(names.json).latency.p50
  kpi('analysis_100x8_cold_ms', coldMs, 'ms', { better: 'lower' })
  kpi('analysis_from_text_100x8_p50_ms', wholeMs, 'ms', { better: 'lower' })
  kpi('analysis_100x8_p50_ms', analyzeMs, 'ms', { better: 'lower' })
  kpi('parse_101_captures_p50_ms', parseMs, 'ms')
  kpi('json_parse_800_samples_p50_ms', jsonMs, 'ms')
  kpi('analysis_vs_parse_ratio', analyzeMs / parseMs, 'x', { better: 'lower' })
  kpi('analysis_vs_json_parse_ratio', analyzeMs / jsonMs, 'x', { better: 'lower' })
  console.log(
    `analysis of 100 samples × 8 disks from capture text (parse, difference, analyze): first call ${coldMs.toFixed(1)} ms, p50 ${wholeMs.toFixed(1)} ms (budget 1000 ms); ` +
      `analyzeSamples alone p50 ${analyzeMs.toFixed(2)} ms; ` +
      `peers in the same run: parseCapture of the same 101 captures p50 ${parseMs.toFixed(2)} ms (analysis/parse ${(analyzeMs / parseMs).toFixed(2)}×), ` +
      `JSON.parse of the same samples (${(json.length / 1e6).toFixed(1)} MB) p50 ${jsonMs.toFixed(2)} ms (analysis/JSON.parse ${(analyzeMs / jsonMs).toFixed(2)}×)`,
  )
  await publish()
  expect(coldMs, 'first analysis of 100 × 8 from capture text, ms').toBeLessThan(1000)
  expect(wholeMs, 'analysis of 100 × 8 from capture text, p50 ms').toBeLessThan(1000)
})

test('gates from the config on the analyzed profile', async ({ config, kpi, publish }) => {
  const o = analysisOptions(config.vscsi)
  const samples = intervalSamples(synthCaptures({ disks: VM_DISKS, samples: 30, intervalS: 60, seed: 6, start: START, workload: vmWorkload }))
  const profile = analyzeSamples(samples, o, 30)
  const figures = profileFigures(profile)

  const fromConfig = checkGates(figures, config.vscsi.gates)
  // The default config has no gates; this one shows the form (vscsi.gates in the YAML):
  const local = checkGates(figures, { read_lat_p99_ms: { max: 20 }, write_lat_p99_ms: { max: 50 }, iops_total: { min: 100 } }, 'vscsi.bench.ts')
  for (const g of [...fromConfig, ...local]) kpi(`gate_${g.name}_${g.kind}`, g.value, figureUnit(g.name), { better: g.kind === 'max' ? 'lower' : 'higher' })
  console.log(`vscsi gates (config: ${fromConfig.length ? '' : 'none'}):\n${formatGates([...fromConfig, ...local])}`)
  await publish()

  expect(() => checkGates(figures, { read_p99: { max: 1 } }, 'vscsi.bench.ts'), 'an unknown figure is named').toThrow(/vscsi\.gates\.read_p99/)
  for (const g of fromConfig) expect(g.pass, `config gate ${g.name} ${g.kind} ${g.bound}: ${g.value}`).toBe(true)
  expect(local.map((g) => `${g.name} ${g.kind}`)).toEqual(['read_lat_p99_ms max', 'write_lat_p99_ms max', 'iops_total min'])
  for (const g of local) expect(g.pass, `gate ${g.name} ${g.kind} ${g.bound}: ${g.value}`).toBe(true)
})
