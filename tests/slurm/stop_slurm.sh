#!/usr/bin/env bash
# Stops the test cluster that tests/slurm/start_slurm.sh started in DIR:
#
#   bash tests/slurm/stop_slurm.sh [DIR] [--keep-munge]
#
# Cancels its remaining jobs, then stops slurmd, slurmctld and (if start_slurm.sh started it)
# munged by the PIDs in DIR — checking /proc/PID/comm first, so a reused PID is never hit.
# Never touches any other process. Safe to run twice, or when nothing runs.
set -uo pipefail

DIR=${1:-${SB_SLURM_DIR:-/tmp/shardbench-slurm}}
KEEP_MUNGE=0
[ "${2:-}" = --keep-munge ] && KEEP_MUNGE=1
[ -d "$DIR" ] || exit 0
DIR=$(cd "$DIR" && pwd)

pid_of() { # pid_of PIDFILE NAME: the PID in the file if it is a running NAME
  [ -s "$1" ] || return 1
  local pid
  pid=$(cat "$1")
  [ -r "/proc/$pid/comm" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$2" ] && echo "$pid"
}
stop() { # stop PIDFILE NAME: TERM, wait up to 10 s, then KILL
  local pid
  pid=$(pid_of "$1" "$2") || { rm -f "$1"; return 0; }
  kill -TERM "$pid" 2>/dev/null
  for _ in $(seq 100); do
    [ -d "/proc/$pid" ] || break
    sleep 0.1
  done
  if [ -d "/proc/$pid" ]; then
    echo "stop_slurm: $2 ($pid) ignored TERM for 10 s; killing it" >&2
    kill -KILL "$pid" 2>/dev/null
  fi
  rm -f "$1"
  echo "stop_slurm: stopped $2 ($pid)" >&2
}

if [ -f "$DIR/slurm.conf" ] && pid_of "$DIR/slurmctld.pid" slurmctld >/dev/null; then
  export SLURM_CONF=$DIR/slurm.conf
  jobs=$(squeue -h -o %A 2>/dev/null | sort -u)
  if [ -n "$jobs" ]; then
    # shellcheck disable=SC2086
    scancel $jobs 2>/dev/null
    # Let slurmd end the job steps (slurmstepd) it started before it goes.
    for _ in $(seq 100); do
      [ -z "$(squeue -h -o %A 2>/dev/null)" ] && break
      sleep 0.1
    done
  fi
fi
stop "$DIR/slurmd.pid" slurmd
stop "$DIR/slurmctld.pid" slurmctld
[ "$KEEP_MUNGE" -eq 1 ] || stop "$DIR/munged.pid" munged
if [ -f "$DIR/mounted_cgroup" ]; then
  for m in $(tac "$DIR/mounted_cgroup"); do
    umount "$m" 2>/dev/null || echo "stop_slurm: could not unmount $m" >&2
  done
  rm -f "$DIR/mounted_cgroup"
fi
exit 0
