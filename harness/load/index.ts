// The load generator's public surface: openModelLoad and the contract's types.
export { openModelLoad, loadSpecProblem } from './open-model.ts'
export { meanRate } from './schedule.ts'
export { decodeHistogram, percentilesOf, spectrumOf } from './histogram.ts'
export type * from './types.ts'
