#!/usr/bin/env bash
# Installs the Debian packages benchgate's tests and scenarios use as real peers, when missing.
# Runs as root (CI, the project's machines) or through sudo; elsewhere it says what to install.
set -euo pipefail
# procps: ps/pgrep for process checks; git: run.json's commit facts; chromium: the test that
# screenshots benchmark results in Vitest's HTML report; fonts-dejavu-core: text in PNG charts;
# aria2: aria2c, the ranged multi-connection download peer of the baseline probe's bench; time: GNU
# time, which measures aria2c's CPU seconds in that bench;
# openssh-server: the real sshd the vscsi tests start on loopback; fio: the vscsi workload replay;
# rsync and rclone: blit-parity's default baseline and candidate; hyperfine: the peer the command
# timer is proven against; vmtouch: evicts a whole tree from the page cache when drop_caches is not permitted;
# python3: the command timer's launcher; nginx-light, redis-server, memcached: the competitive family's
# competitors, started by its fixtures on free loopback ports (never as system services); wrk: the
# load generator ours is measured against; postgresql-15: the chaos family's postgres store, started by
# its fixture in a temp data directory as an unprivileged user (the Debian cluster service is not used);
# xvfb: the virtual X display the desktop driver's tests and embedded default run on.
packages=(procps git chromium fonts-dejavu-core aria2 time openssh-server fio rsync rclone hyperfine vmtouch python3 nginx-light redis-server memcached wrk postgresql-15 xvfb)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null; then
  echo "benchgate: please install: ${missing[*]}" >&2
  exit 0
fi
sudo=''
[ "$(id -u)" -ne 0 ] && sudo='sudo'
echo "benchgate: installing Debian packages: ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
