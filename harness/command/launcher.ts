// The small process that times a run: Perl (perl-base is Essential on Debian; Time::HiRes from
// libperl, which git and most of Debian pull in). Node's own spawn costs 4–15 ms on this machine
// (fork of a large process, then the parent's copy-on-write faults until the child execs; more
// the larger the worker's heap) — a 10–20 % bias on a 50 ms command, against ~0.2 ms for hyperfine.
// So Node spawns this launcher, untimed, and the launcher reads CLOCK_MONOTONIC just before it
// forks and right after waitpid returns, as hyperfine does, and writes "<seconds> <wait status>"
// on fd 3. Its child is the timed argv (GNU time wrapping the command), with the launcher's
// stdin/stdout (/dev/null) and stderr (the pipe Node reads); fd 3 is closed in the child so no
// descendant keeps the report pipe open. The launcher exits with the child's code (128 + signal).
// Everything stays in the launcher's process group, which Node created and kills as one.

export const LAUNCHER_SCRIPT = String.raw`
use strict; use POSIX ();
use Time::HiRes qw(clock_gettime CLOCK_MONOTONIC);
open(my $report, '>&=', 3) or die "benchgate launcher: no report pipe on fd 3: $!\n";
my $t0 = clock_gettime(CLOCK_MONOTONIC);
my $pid = fork() // die "benchgate launcher: fork: $!\n";
if ($pid == 0) {
  POSIX::close(3);
  { exec { $ARGV[0] } @ARGV };
  print STDERR "benchgate launcher: cannot run $ARGV[0]: $!\n";
  POSIX::_exit(127);
}
waitpid($pid, 0);
my $t1 = clock_gettime(CLOCK_MONOTONIC);
my $st = $?;
printf $report "%.9f %d\n", $t1 - $t0, $st;
close($report);
exit(($st & 127) ? 128 + ($st & 127) : ($st >> 8));
`

export const PERL = '/usr/bin/perl'

/** Parses the launcher's "<seconds> <wait status>" line; null when it wrote none (killed). */
export function parseLauncherReport(text: string): { wallSeconds: number; status: number } | null {
  const m = /^(\d+\.\d+) (\d+)\n?$/.exec(text)
  return m ? { wallSeconds: Number(m[1]), status: Number(m[2]) } : null
}
