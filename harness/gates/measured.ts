// What a gate accepts as "a measurement": raw samples, a labelled set of samples, or a Vitest
// bench result (whose raw samples Vitest keeps with `benchmark.retainSamples`).
import { UserError } from '../errors.ts'

export type Measured =
  | readonly number[]
  | { readonly samples: readonly number[]; readonly label?: string }
  | { readonly name?: string; readonly latency: { readonly samples?: ArrayLike<number> } }

export interface Samples {
  samples: number[]
  label: string
}

function fail(what: string, message: string, hint: string): never {
  throw new UserError({ file: 'gate', field: what, message, hint })
}

export function samplesOf(m: unknown, what: string, fallbackLabel: string): Samples {
  let samples: ArrayLike<number> | undefined
  let label = fallbackLabel
  if (Array.isArray(m)) samples = m
  else if (m && typeof m === 'object' && 'samples' in m) {
    samples = (m as { samples: number[] }).samples
    label = (m as { label?: string }).label ?? label
  } else if (m && typeof m === 'object' && 'latency' in m) {
    samples = (m as { latency: { samples?: ArrayLike<number> } }).latency.samples
    label = (m as { name?: string }).name ?? label
    if (!samples) fail(what, 'the bench result carries no raw samples', 'enable benchmark.retainSamples (the bench projects do)')
  } else {
    fail(what, `expected samples, got ${m === null ? 'null' : typeof m}`, 'pass an array of samples, { samples, label } or a bench result')
  }
  const out = Array.from(samples!, Number)
  if (out.length < 2) fail(what, `${out.length} sample(s) are too few to judge`, 'measure at least 2 rounds; the defaults take more')
  if (out.some((v) => !Number.isFinite(v) || v < 0)) fail(what, 'samples must be finite and non-negative', 'check the measured values')
  return { samples: out, label }
}
