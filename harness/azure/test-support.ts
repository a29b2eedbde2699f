// Helpers for the harness/azure tests: which processes are left in a process group, and a
// loopback port nothing listens on.
import { readdirSync, readFileSync } from 'node:fs'
import { createServer } from 'node:net'

/** Live (non-zombie) processes whose process group is `pgid` (Linux /proc). */
export function groupMembers(pgid: number): number[] {
  const out: number[] = []
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      if (Number(fields[2]) === pgid && fields[0] !== 'Z') out.push(Number(name))
    } catch {
      // vanished while we looked
    }
  }
  return out
}

/** A loopback port that was free a moment ago and has no listener now. */
export async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}
