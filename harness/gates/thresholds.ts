// The threshold and confidence a gate uses when the bench file does not give one: per benchmark
// and metric from config (gates.thresholds), else the config's default, else 5 % and 95 %.
export interface GateDefaults {
  threshold: number
  confidence: number
  thresholds: Record<string, Record<string, number>>
}

let defaults: GateDefaults = { threshold: 0.05, confidence: 0.95, thresholds: {} }

/** Called by the harness with the loaded configuration's `gates` section. */
export function setGateDefaults(gates: GateDefaults): void {
  defaults = { threshold: gates.threshold, confidence: gates.confidence, thresholds: gates.thresholds }
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
