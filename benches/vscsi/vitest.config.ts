import { benchProject } from '../../vitest.bench.config.ts'

export default benchProject(import.meta.dirname)
