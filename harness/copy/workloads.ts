// The four workloads of the blit-parity family, as tree specs. Sizes are binary (KiB, MiB, GiB).
//
//   large        one file of `largeBytes` (1 GiB): streaming throughput, nothing else.
//   small        `smallCount` files (100 000) of 1–10 KiB: per-file cost (create, stat, mtime).
//   mixed        `mixedLargeCount` (10) files of `mixedLargeBytes` (100 MiB) plus `mixedSmallCount`
//                (1 000) files of 1–100 KiB: both at once, as a real project directory is.
//   incremental  a mirror that is mostly up to date. The base tree is `incrementalBaseCount`
//                (10 000) files of the mixed-small size range (1–100 KiB, about 500 MiB); the
//                changed source has `incrementalTouch` (2 000) of them rewritten (same size, new
//                content, new mtime), `incrementalDelete` (1 000) removed and `incrementalAdd`
//                (1 000) new ones (./incremental.ts). The tool mirrors the changed source into a
//                copy of the base: what is measured is finding and sending the change.
import { UserError } from '../errors.ts'
import type { TreeSpec } from './tree-spec.ts'

export type WorkloadName = 'large' | 'small' | 'mixed' | 'incremental'

export const WORKLOAD_NAMES: readonly WorkloadName[] = ['large', 'small', 'mixed', 'incremental']

export interface WorkloadSizes {
  largeBytes: number
  smallCount: number
  smallMinBytes: number
  smallMaxBytes: number
  mixedLargeCount: number
  mixedLargeBytes: number
  mixedSmallCount: number
  mixedSmallMinBytes: number
  mixedSmallMaxBytes: number
  incrementalTouch: number
  incrementalDelete: number
  incrementalAdd: number
  /** Files of the incremental workload's base tree (sizes: the mixed-small range); default 10 000. */
  incrementalBaseCount?: number
}

const KiB = 1024
const MiB = 1024 * KiB
const GiB = 1024 * MiB

export const DEFAULT_INCREMENTAL_BASE_COUNT = 10_000

export const DEFAULT_SIZES: WorkloadSizes = {
  largeBytes: 1 * GiB,
  smallCount: 100_000,
  smallMinBytes: 1 * KiB,
  smallMaxBytes: 10 * KiB,
  mixedLargeCount: 10,
  mixedLargeBytes: 100 * MiB,
  mixedSmallCount: 1_000,
  mixedSmallMinBytes: 1 * KiB,
  mixedSmallMaxBytes: 100 * KiB,
  incrementalTouch: 2_000,
  incrementalDelete: 1_000,
  incrementalAdd: 1_000,
  incrementalBaseCount: DEFAULT_INCREMENTAL_BASE_COUNT,
}

/** The spec of a workload's source tree (for 'incremental': its base, before the change). */
export function workloadSpec(name: WorkloadName, sizes: WorkloadSizes, seed: number): TreeSpec {
  switch (name) {
    case 'large':
      return { seed, files: [{ count: 1, minBytes: sizes.largeBytes, maxBytes: sizes.largeBytes }] }
    case 'small':
      return { seed, files: [{ count: sizes.smallCount, minBytes: sizes.smallMinBytes, maxBytes: sizes.smallMaxBytes }] }
    case 'mixed':
      return {
        seed,
        files: [
          { count: sizes.mixedLargeCount, minBytes: sizes.mixedLargeBytes, maxBytes: sizes.mixedLargeBytes },
          { count: sizes.mixedSmallCount, minBytes: sizes.mixedSmallMinBytes, maxBytes: sizes.mixedSmallMaxBytes },
        ],
      }
    case 'incremental': {
      const count = sizes.incrementalBaseCount ?? DEFAULT_INCREMENTAL_BASE_COUNT
      if (sizes.incrementalTouch + sizes.incrementalDelete > count) {
        throw new UserError({
          file: 'workload sizes',
          field: 'incrementalTouch + incrementalDelete',
          message: `${sizes.incrementalTouch} + ${sizes.incrementalDelete} files to change, but the base tree has ${count}`,
          expected: `at most incrementalBaseCount (${count}) files touched and deleted together`,
          hint: 'lower incrementalTouch or incrementalDelete, or raise incrementalBaseCount',
        })
      }
      return { seed, files: [{ count, minBytes: sizes.mixedSmallMinBytes, maxBytes: sizes.mixedSmallMaxBytes }] }
    }
  }
}
