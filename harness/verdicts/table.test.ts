import { describe, expect, test } from 'vitest'
import type { Comparison } from '../results.ts'
import { countVerdicts, parseVerdictsFile, verdictsFile, type VerdictRow } from './file.ts'
import { formatChange, formatInterval, formatNumber, countsLine, markdownTable, rowCells, terminalTable, verdictRows, verdictsMarkdown } from './table.ts'

function comparison(over: Partial<Comparison> = {}): Comparison {
  return {
    name: 'copy 1 GiB',
    metric: 'time',
    unit: 'ms',
    better: 'lower',
    base: { label: 'rsync', median: 812.5, n: 20 },
    head: { label: 'blit', median: 920.61, n: 20 },
    ratio: { estimate: 1.1331, lo: 1.1204, hi: 1.1561, confidence: 0.95 },
    threshold: 0.05,
    verdict: 'regressed',
    rounds: 20,
    order: 'interleaved',
    method: 'bootstrap ratio of medians (paired by round), 2000 resamples, 95 % percentile interval, seed 24301',
    ...over,
  }
}

const row = (c: Comparison, test = 'copy 1 GiB'): VerdictRow => ({ project: 'blit-parity', file: 'benches/blit-parity/copy.bench.ts', test, comparison: c })

describe('verdict table', () => {
  test('numbers keep 4 significant digits without exponents for ordinary magnitudes', () => {
    expect([1234.5, 812.5, 12.345, 3.2, 0.012345, 0.00004896, 0, 1_234_567].map(formatNumber)).toEqual(['1235', '812.5', '12.35', '3.2', '0.01235', '0.00004896', '0', '1234567'])
    expect(formatNumber(1.5e-9)).toBe('1.500e-9')
  })

  test('change and interval are signed percentages of head/base', () => {
    expect(formatChange(1.1331)).toBe('+13.3 %')
    expect(formatChange(0.83)).toBe('-17.0 %')
    expect(formatChange(1.0001)).toBe('0.0 %')
    expect(formatInterval({ estimate: 1, lo: 0.98, hi: 1.034, confidence: 0.95 })).toBe('-2.0 % … +3.4 % (95 %)')
  })

  test('one markdown row per comparison, in the agreed columns; pipes escaped', () => {
    const md = markdownTable([row(comparison()), row(comparison({ name: 'a | b', verdict: 'improved', fingerprintWarning: 'other CPU' }), 'suite > t')])
    expect(md.split('\n')).toEqual([
      '| benchmark | metric | base | head | change | interval | verdict |',
      '| --- | --- | ---: | ---: | ---: | --- | --- |',
      '| copy 1 GiB | time (ms), lower is better | 812.5 ms (rsync, n=20) | 920.6 ms (blit, n=20) | +13.3 % | +12.0 % … +15.6 % (95 %) | ❌ regressed |',
      '| suite > t › a \\| b | time (ms), lower is better | 812.5 ms (rsync, n=20) | 920.6 ms (blit, n=20) | +13.3 % | +12.0 % … +15.6 % (95 %) | 🚀 improved ⚠️ |',
    ])
  })

  test('plain labels are not repeated; unitless metrics have no unit', () => {
    const c = comparison({ metric: 'failure_rate', unit: '', better: 'lower', base: { label: 'base', median: 0.5, n: 3 }, head: { label: 'head', median: 0.25, n: 3 } })
    expect(rowCells(row(c), true).slice(1, 4)).toEqual(['failure_rate, lower is better', '0.5 (n=3)', '0.25 (n=3)'])
  })

  test('the terminal table is aligned plain text with REGRESSED in capitals', () => {
    const text = terminalTable([row(comparison()), row(comparison({ name: 'x', verdict: 'unchanged', base: { label: 'base', median: 3.2, n: 50 } }), 'parse')])
    const lines = text.split('\n')
    expect(lines[0]).toMatch(/^benchmark\s+metric\s+base\s+head\s+change\s+interval\s+verdict$/)
    expect(lines[1]).toMatch(/^copy 1 GiB\s+time \(ms\)\s+812\.5 ms \(rsync, n=20\)\s+920\.6 ms \(blit, n=20\)\s+\+13\.3 %\s+\+12\.0 % … \+15\.6 % \(95 %\)\s+REGRESSED$/)
    expect(lines[2]).toMatch(/^parse › x\s+time \(ms\)\s+3\.2 ms \(n=50\)/)
    expect(lines[1]!.indexOf('time')).toBe(lines[2]!.indexOf('time'))
    expect(text).not.toMatch(/\u001b\[/)
  })

  test('verdicts.md: heading with counts, the table, and the notes (thresholds, methods, warnings once)', () => {
    const rows = [row(comparison({ fingerprintWarning: 'baseline b.json was measured in a different environment: cores: 4 ≠ 8' })), row(comparison({ verdict: 'unchanged', fingerprintWarning: 'baseline b.json was measured in a different environment: cores: 4 ≠ 8' }))]
    const md = verdictsMarkdown(rows, countVerdicts(rows))
    expect(md.startsWith('## benchgate verdicts: 1 regressed, 0 improved, 1 unchanged, 0 inconclusive\n\n| benchmark |')).toBe(true)
    expect(md).toContain('- Change is head/base − 1 of the medians.\n- Rule \'conservative\': regressed only when the whole interval lies beyond the threshold (5 %).')
    const caught = [row(comparison({ rule: 'catch' })), row(comparison({ rule: 'catch', threshold: 0.1 }))]
    expect(verdictsMarkdown(caught, countVerdicts(caught))).toContain('- Regressed when the interval lies above √(1 + threshold), midway between no change and the threshold (5 %, 10 %): a regression of the threshold fails; improved likewise below.')
    expect(md).toContain('- Method (interleaved: bootstrap ratio of medians (paired by round)')
    expect(md.match(/⚠️ baseline b\.json/g)).toHaveLength(1)
    expect(verdictsMarkdown([], countVerdicts([]))).toBe('## benchgate verdicts\n\nNo gate evaluations in this run.\n')
  })

  test('rows come from every test\'s meta.benchgate.comparisons, in order', () => {
    const meta = (comparisons?: Comparison[]) => ({ runDir: '', project: 'p', kpis: [], artifacts: [], ...(comparisons ? { comparisons } : {}) })
    const rows = verdictRows([
      { project: 'p', file: 'a.bench.ts', test: 'a', meta: meta([comparison({ name: 'one' }), comparison({ name: 'two' })]) },
      { project: 'p', file: 'b.bench.ts', test: 'b', meta: meta() },
      { project: 'p', file: 'c.bench.ts', test: 'c', meta: undefined },
      { project: 'p', file: 'd.bench.ts', test: 'd', meta: meta([comparison({ name: 'three' })]) },
    ])
    expect(rows.map((r) => `${r.test}:${r.comparison.name}`)).toEqual(['a:one', 'a:two', 'd:three'])
  })

  test('a limit says holds or fails, never unchanged or regressed, and is counted apart', () => {
    const held = comparison({ kind: 'limit', verdict: 'unchanged', name: 'open · Cold: B within 8× A' })
    const failed = comparison({ kind: 'limit', verdict: 'regressed', name: 'probe vs aria2c' })
    const rows = [row(held), row(failed), row(comparison())]
    const counts = countVerdicts(rows)
    expect(counts).toMatchObject({ regressed: 1, unchanged: 0, holds: 1, fails: 1 })
    expect(countsLine(counts)).toBe('1 regressed, 0 improved, 0 unchanged, 0 inconclusive; limits: 1 holds, 1 fails')
    const md = verdictsMarkdown(rows, counts)
    expect(md).toContain('| ✅ holds |')
    expect(md).toContain('| ❌ fails |')
    expect(md).toContain('- Limits (at least a fraction of a reference, within a ratio): fails when the whole interval lies beyond the limit, else holds.')
    const lines = terminalTable(rows).split('\n')
    expect(lines[1]).toMatch(/\sholds$/)
    expect(lines[2]).toMatch(/\sFAILS$/)
    // a verdicts.json written before limits had words still reads, its counts completed
    const old = verdictsFile([row(comparison())], 's')
    const { holds: _h, fails: _f, ...oldCounts } = old.counts
    expect(parseVerdictsFile(JSON.stringify({ ...old, counts: oldCounts }), 'old.json').counts).toMatchObject({ holds: 0, fails: 0 })
  })

  test('verdicts.json round trip and counts', () => {
    const rows = [row(comparison()), row(comparison({ verdict: 'inconclusive' })), row(comparison({ verdict: 'inconclusive' }))]
    const file = verdictsFile(rows, '20261124T101500Z', new Date('2026-11-24T10:15:00Z'))
    expect(file.counts).toEqual({ regressed: 1, improved: 0, unchanged: 0, inconclusive: 2, holds: 0, fails: 0 })
    expect(parseVerdictsFile(JSON.stringify(file), 'v.json')).toEqual(file)
    expect(() => parseVerdictsFile('{"kind":"benchgate-verdicts"}', 'v.json')).toThrow(/^v\.json: version: /)
  })
})
