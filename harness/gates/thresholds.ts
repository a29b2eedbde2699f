// The threshold, rule and confidence a gate uses when the bench file does not give one: per
// benchmark and metric from config (gates.thresholds), else the config's default, else 5 %,
// 'catch' and 95 % (../stats/verdict.ts).
import { DEFAULT_RULE, type GateRule } from '../stats/verdict.ts'

export interface GateDefaults {
  threshold: number
  rule: GateRule
  confidence: number
  thresholds: Record<string, Record<string, number>>
}

let defaults: GateDefaults = { threshold: 0.05, rule: DEFAULT_RULE, confidence: 0.95, thresholds: {} }

/** Called by the harness with the loaded configuration's `gates` section. */
export function setGateDefaults(gates: GateDefaults): void {
  defaults = { threshold: gates.threshold, rule: gates.rule, confidence: gates.confidence, thresholds: gates.thresholds }
}

export function defaultRule(): GateRule {
  return defaults.rule
}

/** gates.thresholds[name][metric], else gates.threshold. */
export function pickThreshold(gates: Pick<GateDefaults, 'threshold' | 'thresholds'>, name: string | undefined, metric: string): number {
  return (name !== undefined ? gates.thresholds[name]?.[metric] : undefined) ?? gates.threshold
}

export function thresholdFor(name: string | undefined, metric: string): number {
  return pickThreshold(defaults, name, metric)
}

export function defaultConfidence(): number {
  return defaults.confidence
}
