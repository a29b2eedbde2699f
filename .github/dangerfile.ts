// The pull-request check: one verdict table in the PR comment, a failed check on any regression.
// The logic lives in ./danger-verdicts.ts (unit-tested offline); this file only hands it danger's DSL.
//
// Run with DANGER_DISABLE_TSC=true: danger's built-in transpiler calls TypeScript's
// `transpileModule`, which TypeScript 7 (installed here) no longer has. With the variable set,
// danger drops the line that reads the DSL names from 'danger' (they are globals at run time) and
// hands this file to Node.js as an ES module; Node.js strips the types of the .ts modules it
// loads from here. So this file itself must stay free of type syntax.
//
//   DANGER_DISABLE_TSC=true npx danger ci --failOnErrors --dangerfile .github/dangerfile.ts
//   DANGER_DISABLE_TSC=true npx danger local --failOnErrors --dangerfile .github/dangerfile.ts --base main
import { fail, markdown, message, warn } from 'danger'
import { runVerdictCheck } from './danger-verdicts.ts'

runVerdictCheck({ fail, markdown, message, warn })
