// This run's side of a baseline comparison: the fingerprint of this machine and checkout, and the
// gate settings of the configuration. Read once per process (a worker compares many tasks).
import { resolve } from 'node:path'
import { loadConfig } from '../config/load.ts'
import { collectEnvironment } from '../run/environment.ts'
import { projectRoot } from '../run/own-file.ts'
import { pickThreshold } from '../gates/thresholds.ts'
import type { GateRule } from '../stats/verdict.ts'
import { fingerprintOf, type Fingerprint, type FingerprintPolicy } from './fingerprint.ts'

const REPO_ROOT = projectRoot(resolve(import.meta.dirname, '../..'))

export interface CurrentRun {
  fingerprint: Fingerprint
  /** gates.threshold of the configuration. */
  threshold: number
  /** gates.rule of the configuration (default 'catch'). */
  rule?: GateRule
  /** gates.thresholds of the configuration: benchmark name → metric → threshold (when present). */
  thresholds?: Record<string, Record<string, number>>
  /** gates.confidence of the configuration (when present). */
  confidence?: number
  /** gates.fingerprint of the configuration. */
  policy: FingerprintPolicy
}

/** The threshold for a benchmark's metric: gates.thresholds[name][metric], else gates.threshold. */
export function thresholdOf(run: CurrentRun, name: string, metric = 'time'): number {
  return pickThreshold({ threshold: run.threshold, thresholds: run.thresholds ?? {} }, name, metric)
}

let cached: { key: string; value: CurrentRun } | undefined

/** The current run's fingerprint and gate settings (configuration read as loadConfig does). */
export function currentRun(root: string = REPO_ROOT): CurrentRun {
  const key = `${root}\0${process.env.BENCHGATE_CONFIG ?? ''}\0${process.cwd()}`
  if (cached?.key === key) return cached.value
  const loaded = loadConfig()
  const { threshold, rule, thresholds, confidence, fingerprint } = loaded.config.gates
  const value: CurrentRun = {
    fingerprint: fingerprintOf(collectEnvironment(root), loaded.hash),
    threshold,
    rule,
    thresholds,
    confidence,
    policy: fingerprint,
  }
  cached = { key, value }
  return value
}
