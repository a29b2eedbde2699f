// harness/copy's own speed on this machine: generating the blit-parity family's two extreme source
// trees (100 000 files of 1–10 KiB; one 1 GiB file) into an empty cache, reusing them, and
// verifying a cp -a copy of each with compareTrees (from the manifest: only the copy is hashed).
// Gates: the small tree generated in at most 15 s (the family's first run must not stall on it);
// each verification in at most 10 s.
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { expect, test } from '../../harness/test.ts'
import { compareTrees, DEFAULT_SIZES, ensureTree, workloadSpec, type WorkloadName } from '../../harness/copy/index.ts'

for (const name of ['small', 'large'] satisfies WorkloadName[]) {
  test(`copy trees: generate, reuse and verify the '${name}' tree`, { timeout: 300_000 }, async ({ tempDir, kpi }) => {
    const cache = join(tempDir, 'trees')
    const made = await ensureTree(workloadSpec(name, DEFAULT_SIZES, 1), cache)
    const reused = await ensureTree(workloadSpec(name, DEFAULT_SIZES, 1), cache)
    const dst = join(tempDir, 'copy')
    execFileSync('cp', ['-a', made.dir, dst])
    const t0 = performance.now()
    const verdict = await compareTrees(made, dst)
    const compareSeconds = (performance.now() - t0) / 1000
    const mib = made.bytes / 2 ** 20
    kpi(`${name}_generate_s`, made.seconds, 's', { better: 'lower' })
    kpi(`${name}_reuse_s`, reused.seconds, 's', { better: 'lower' })
    kpi(`${name}_compare_s`, compareSeconds, 's', { better: 'lower' })
    console.log(
      `'${name}' tree, ${made.files} files, ${mib.toFixed(0)} MiB: generated in ${made.seconds.toFixed(2)} s ` +
        `(${(mib / made.seconds).toFixed(0)} MiB/s, ${(made.files / made.seconds).toFixed(0)} files/s), reused in ${reused.seconds.toFixed(2)} s, ` +
        `cp -a copy verified in ${compareSeconds.toFixed(2)} s (${(mib / compareSeconds).toFixed(0)} MiB/s)`,
    )
    expect(reused.cached).toBe(true)
    expect(verdict.diffs).toEqual([])
    if (name === 'small') expect(made.seconds, '100 000 small files generated within 15 s').toBeLessThanOrEqual(15)
    expect(compareSeconds, 'a copy verified within 10 s').toBeLessThanOrEqual(10)
  })
}
