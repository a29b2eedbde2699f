// One CPU hog process (started by ./cpu-hog.ts, never imported): in every period (default
// 100 ms) it spins until it has used `utilisation` × period of CPU time (process.cpuUsage, so a
// hog the kernel preempts keeps trying until the period ends), then sleeps for the rest of the
// period, on an absolute schedule (a period that starts late is not made up: the hog never bursts
// above its share to catch up). Prints `ready` once, when it starts hogging. Arguments:
// utilisation (0 < u ≤ 1), period ms. It is stopped by its process group (SIGTERM, then
// SIGKILL); started with ../../run/orphan-guard.ts it also exits when its parent is gone.
const utilisation = Number(process.argv[2])
const periodMs = Number(process.argv[3] ?? 100)
if (!(utilisation > 0 && utilisation <= 1) || !(periodMs > 0)) {
  process.stderr.write(`hog-child: expected a utilisation in (0, 1] and a period in ms, got ${process.argv.slice(2).join(' ')}\n`)
  process.exit(2)
}

let periodStart = performance.now()

/** CPU ms this process has used (user + system). */
function cpuMs(): number {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}

function period(): void {
  // busy until this period's share of CPU TIME is used (a hog preempted by other work keeps
  // trying until its period ends), never past the period's end
  const periodEnd = periodStart + periodMs
  const cpuUntil = cpuMs() + utilisation * periodMs
  let checks = 0
  for (;;) {
    if (performance.now() >= periodEnd) break
    if (++checks % 64 === 0 && cpuMs() >= cpuUntil) break
  }
  periodStart = periodEnd
  const now = performance.now()
  if (periodStart < now - periodMs) periodStart = now
  setTimeout(period, Math.max(0, periodStart - now))
}

process.stdout.write('ready\n')
period()
