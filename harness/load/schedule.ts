// The open model's schedule: the intended start time of every request, fixed by the arrival
// model before anything is sent, in milliseconds from the run's start (warm-up included: the
// warm-up runs the same schedule and its results are discarded).
//
// Method. Request i's time comes from the arrival model alone, never from when the previous
// request was sent or answered, so a slow server cannot slow the schedule down (that would be
// coordinated omission) and timer jitter cannot accumulate into drift:
//   constant  t_i = i / rate                       (computed from i, not by adding gaps)
//   poisson   t_{i+1} = t_i + Exp(rate)            (gaps −ln(1 − U) / rate from the seeded generator)
//   burst     the inverse of the cumulative count of a piecewise-constant rate: `rate` between
//             bursts and `burst_rate` for `burst_s` seconds at the end of every `every_s`-second
//             period (first burst at t = every_s − burst_s), so request i is at the time the
//             expected count reaches i — exact, with no accumulated rounding.
// Threads: thread k of T takes requests k, k + T, k + 2T, … of the one global schedule, so the
// whole run's arrivals are the same for any thread count (and the Poisson sequence is the same
// for a seed).
import type { Arrival } from './types.ts'
import { seededUniform } from './random.ts'

export type OpenArrival = Exclude<Arrival, { model: 'closed' }>

/** Yields intended times (ms from the run's start) in increasing order, without end (the run stops at its duration). */
export interface Schedule {
  next(): number
}

/** Requests per second the arrival asks for on average (over whole burst periods). */
export function meanRate(arrival: OpenArrival): number {
  if (arrival.model !== 'burst') return arrival.rate
  const { rate, burst_rate, every_s, burst_s } = arrival
  return (rate * (every_s - burst_s) + burst_rate * burst_s) / every_s
}

/** The message naming the arrival's bad field, or null when it is usable. */
export function arrivalProblem(arrival: Arrival): string | null {
  const positive = (v: number) => Number.isFinite(v) && v > 0
  switch (arrival.model) {
    case 'closed':
      return null
    case 'constant':
    case 'poisson':
      if (!positive(arrival.rate)) return `arrival.rate: expected requests per second > 0, got ${arrival.rate}`
      if (arrival.model === 'poisson' && !Number.isFinite(arrival.seed)) return `arrival.seed: expected a number, got ${arrival.seed}`
      return null
    case 'burst': {
      const { rate, burst_rate, every_s, burst_s } = arrival
      if (!(Number.isFinite(rate) && rate >= 0)) return `arrival.rate: expected requests per second ≥ 0 between bursts, got ${rate}`
      if (!positive(burst_rate)) return `arrival.burst_rate: expected requests per second > 0, got ${burst_rate}`
      if (!positive(every_s)) return `arrival.every_s: expected seconds > 0, got ${every_s}`
      if (!(positive(burst_s) && burst_s <= every_s)) return `arrival.burst_s: expected seconds in (0, every_s = ${every_s}], got ${burst_s}`
      return null
    }
    default:
      return `arrival.model: expected constant, poisson, burst or closed, got ${String((arrival as { model: unknown }).model)}`
  }
}

/** The global schedule (every request), as a function of the request's index where it can be. */
function globalSchedule(arrival: OpenArrival): Schedule {
  switch (arrival.model) {
    case 'constant': {
      const gap = 1000 / arrival.rate
      let i = 0
      return { next: () => i++ * gap }
    }
    case 'poisson': {
      const uniform = seededUniform(arrival.seed)
      const meanGap = 1000 / arrival.rate
      let t = 0
      let first = true
      return {
        next() {
          // the first arrival is at 0 like the other models; gaps follow
          if (first) {
            first = false
            return 0
          }
          t += -Math.log(1 - uniform()) * meanGap
          return t
        },
      }
    }
    case 'burst': {
      const { rate, burst_rate, every_s, burst_s } = arrival
      const quietS = every_s - burst_s
      const quietCount = rate * quietS // expected requests in the quiet part of a period
      const perPeriod = quietCount + burst_rate * burst_s
      let i = 0
      return {
        next() {
          const n = i++
          const period = Math.floor(n / perPeriod)
          const rest = n - period * perPeriod
          const s = rest < quietCount ? rest / rate : quietS + (rest - quietCount) / burst_rate
          return (period * every_s + s) * 1000
        },
      }
    }
  }
}

/** Thread `index` of `threads`'s share of the schedule: every `threads`-th request from `index`. */
export function arrivalSchedule(arrival: OpenArrival, index = 0, threads = 1): Schedule {
  const global = globalSchedule(arrival)
  for (let k = 0; k < index; k++) global.next()
  let pending = global.next()
  return {
    next() {
      const t = pending
      for (let k = 0; k < threads; k++) pending = global.next()
      return t
    },
  }
}
