// The A/B cases of fast-ab, shared by the headless run (fast-ab.bench.ts) and the desktop run
// (fast-ab-desktop.bench.ts): per cache state and workflow, A and B in interleaved rounds, each
// session timed by its own workflow markers. Gates: the data read are identical, each mode was
// served by the path it claims (observed from the open files), and B takes at most
// fast.max_ratio × A's time.
import { analyzeFastAb, abSummary, sessionRecords } from '../../harness/fast/report.ts'
import { expect, type test as fastTest } from '../../harness/fast/fixtures.ts'
import { compareModes, MODE_LABEL, recordModeKpis, type AbOutcome } from '../../harness/fast/scenario.ts'
import { benchDataOf } from '../../harness/compare/bench-data.ts'
import { EXPECTED_SOURCE } from '../../harness/fast/classify.ts'
import type { WorkflowName } from '../../harness/fast/workflows.ts'

export function abCases(test: typeof fastTest, cacheStates: readonly string[], workflows: readonly WorkflowName[], outcomes: AbOutcome[]): void {
  for (const cacheState of cacheStates) {
    for (const workflow of workflows) {
      test(`${workflow} · ${cacheState}`, async ({ sessions, compare, kpi, run, bench, publish, config }) => {
        run.set({ workflow, cache_state: cacheState, driver: sessions.setup.desktop ? 'desktop' : 'reader' })
        const ab = await compareModes(sessions, compare, config, workflow, cacheState)
        outcomes.push(ab)
        run.set({ cache_achieved: ab.cacheAchieved })
        if ((ab.cacheAchieved.os_cache as string[] | undefined)?.includes('not-permitted')) {
          console.warn(`${workflow} · Cold: the OS page cache could not be dropped (${ab.cacheAchieved.os_cache_detail}); run.json records what was resident`)
        }
        recordModeKpis(kpi, ab)
        run.writeArtifact('sessions.json', JSON.stringify(sessionRecords(ab), null, 1) + '\n')
        // Vitest's own table of the two modes, from the interleaved samples
        await bench.compare(bench.from(MODE_LABEL.A, () => benchDataOf(ab.result.base)), bench.from(MODE_LABEL.B, () => benchDataOf(ab.result.head)))
        await publish()

        expect(ab.checksums.A, 'data read through mode A').toHaveLength(1)
        expect(ab.checksums.B, 'data read through mode B are identical to mode A').toEqual(ab.checksums.A)
        expect(ab.observed.A).toEqual([EXPECTED_SOURCE.A])
        expect(ab.observed.B).toEqual([EXPECTED_SOURCE.B])
        if (sessions.setup.desktop) {
          // through the window, a workflow's end is its last change on the screen, never just the wait running out
          expect(ab.all.map((s) => `${s.mode}#${s.n} ${s.summary.figures.workflow_end}`), 'desktop sessions whose end was seen on the screen')
            .toEqual(ab.all.map((s) => `${s.mode}#${s.n} settled`))
        }
        expect(ab.result.head).toHoldParity(ab.result.base, { atLeast: 1 / ab.maxRatio, name: `${workflow} · ${cacheState}: B within ${ab.maxRatio}× A` })
      })
    }
  }
}

export function abAnalysis(test: typeof fastTest, outcomes: AbOutcome[]): void {
  test('analysis: comparison_kpis.csv, charts and the A/B summary', async ({ run, publish }) => {
    const analysis = analyzeFastAb(outcomes, run.dir)
    for (const f of analysis.files) run.addArtifact(f.slice(run.dir.length + 1))
    await publish()
    process.stdout.write(abSummary(outcomes) + '\n')
    const expected = new Set(outcomes.flatMap((o) => [`A ${o.workflow} ${o.cache_state}`, `B ${o.workflow} ${o.cache_state}`]))
    expect(new Set(analysis.rows.map((r) => `${r.mode} ${r.workflow} ${r.cache_state}`))).toEqual(expected)
  })
}
