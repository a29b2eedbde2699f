// Setup file of the bench projects: registers benchgate's gate matchers on `expect`.
import { expect } from 'vitest'
import { gateMatchers } from './matchers.ts'

expect.extend(gateMatchers)
