#!/usr/bin/env bash
# Starts a private single-node Slurm cluster on this machine, for the tests.
#
#   bash tests/slurm/start_slurm.sh [DIR]      (DIR defaults to $SB_SLURM_DIR or /tmp/shardbench-slurm)
#
# Installs Debian's slurm-wlm and munge when they are missing, writes slurm.conf and every
# state, spool, log and PID file under DIR (never /etc/slurm), starts munged (only if none is
# running), slurmctld and slurmd as plain background daemons (no systemd), and waits until the
# node is idle. Then `source DIR/env.sh` points the Slurm commands at this cluster.
# stop_slurm.sh DIR stops exactly the daemons this script started, by their PIDs.
#
# Idempotent: a cluster already running in DIR is reused. Exit status: 0 running;
# 77 Slurm cannot be installed or run here (not root, no package archive) — the message
# starts with "SKIPPED:"; 1 it was installed but did not come up (a real failure).
set -euo pipefail

DIR=${1:-${SB_SLURM_DIR:-/tmp/shardbench-slurm}}
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
skip() { echo "SKIPPED: $*" >&2; exit 77; }
die() { echo "start_slurm: $*" >&2; exit 1; }
alive() { # alive PIDFILE NAME: the PID in the file is a running NAME
  [ -s "$1" ] || return 1
  local pid
  pid=$(cat "$1")
  [ -r "/proc/$pid/comm" ] && [ "$(cat "/proc/$pid/comm")" = "$2" ]
}

# ---- install ------------------------------------------------------------------------------
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v sbatch >/dev/null ||
   ! command -v munged >/dev/null; then
  [ "$(id -u)" -eq 0 ] || skip "Slurm is not installed and installing it needs root (apt-get install slurm-wlm munge)"
  command -v apt-get >/dev/null || skip "Slurm is not installed and this is not a Debian-like system (no apt-get)"
  echo "start_slurm: installing slurm-wlm munge" >&2
  export DEBIAN_FRONTEND=noninteractive
  { apt-get -o DPkg::Lock::Timeout=300 update -q &&
    apt-get -o DPkg::Lock::Timeout=300 install -y -q --no-install-recommends slurm-wlm munge; } \
    >"$DIR/install.log" 2>&1 || skip "apt-get install slurm-wlm munge failed (see $DIR/install.log)"
fi
[ "$(id -u)" -eq 0 ] || skip "running slurmd and munged needs root"

# ---- munged: reuse a running one, else start the system's as the munge user ------------------
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
  [ -f /etc/munge/munge.key ] || die "/etc/munge/munge.key is missing (reinstall munge)"
  install -d -o munge -g munge -m 0755 /run/munge
  install -d -o munge -g munge -m 0700 /var/log/munge /var/lib/munge
  runuser -u munge -- /usr/sbin/munged
  for _ in $(seq 50); do
    munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break
    sleep 0.1
  done
  munge -n | unmunge >/dev/null 2>&1 || die "munged did not start"
  cp /run/munge/munged.pid "$DIR/munged.pid" # ours: stop_slurm.sh stops it
fi

# ---- already running here? ------------------------------------------------------------------
if alive "$DIR/slurmctld.pid" slurmctld && alive "$DIR/slurmd.pid" slurmd && [ -f "$DIR/env.sh" ]; then
  # shellcheck disable=SC1091
  source "$DIR/env.sh"
  want=${SB_SLURM_CPUS:-$(slurmd -C | sed -n 's/.*CPUs=\([0-9]*\).*/\1/p')}
  if sinfo -h -o %T 2>/dev/null | grep -Eq '^(idle|mixed|allocated)' && [ "$(sinfo -h -o %c | head -1)" = "$want" ]; then
    echo "start_slurm: reusing the cluster in $DIR" >&2
    exit 0
  fi
fi
# Leftovers of a cluster that died: stop what still runs from DIR, then start afresh.
bash "$(dirname "$0")/stop_slurm.sh" "$DIR" --keep-munge >/dev/null 2>&1 || true

# ---- slurm.conf ---------------------------------------------------------------------------
# Unix sockets live in the spool folder and their paths must stay short (108 bytes).
SPOOL=$DIR/spool
if [ ${#SPOOL} -gt 60 ]; then
  SPOOL=/tmp/sb-slurm-spool-$(printf %s "$DIR" | cksum | cut -d' ' -f1)
fi
mkdir -p "$DIR/state" "$SPOOL" "$DIR/log"
# Ports of our own, so a real Slurm on this machine (6817/6818) is left alone.
port_free() { ! ss -ltnH "sport = :$1" 2>/dev/null | grep -q .; }
CTLD_PORT=${SB_SLURM_PORT:-16817}
while ! port_free "$CTLD_PORT" || ! port_free $((CTLD_PORT + 1)); do
  CTLD_PORT=$((CTLD_PORT + 2))
done
HOST=$(hostname -s)
# The node as slurmd sees it, with a little less memory than it reports (ReturnToService
# would otherwise flap on a few MB of difference).
NODE=$(slurmd -C | head -1)
MEM=$(printf '%s\n' "$NODE" | sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p')
NODE=$(printf '%s\n' "$NODE" | sed "s/RealMemory=[0-9]*/RealMemory=$((MEM * 9 / 10))/")
# SB_SLURM_CPUS=N declares N cores (one socket) whatever the machine has, so that several
# small test jobs run side by side on a 2-core CI machine (config_overrides: not drained).
OVERRIDES=
if [ -n "${SB_SLURM_CPUS:-}" ]; then
  NODE=$(printf '%s\n' "$NODE" | sed -E "s/CPUs=[0-9]+ .*ThreadsPerCore=[0-9]+/CPUs=$SB_SLURM_CPUS Boards=1 SocketsPerBoard=1 CoresPerSocket=$SB_SLURM_CPUS ThreadsPerCore=1/")
  OVERRIDES=SlurmdParameters=config_overrides
fi
: >"$DIR/plugstack.conf"
cat >"$DIR/slurm.conf" <<CONF
# Written by tests/slurm/start_slurm.sh: a private single-node cluster for the tests.
ClusterName=shardbench-test
SlurmctldHost=$HOST(127.0.0.1)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$((CTLD_PORT + 1))
SlurmUser=root
AuthType=auth/munge
# A requeued job may start again only once the credentials of its last run have expired
# (cred_expire, 120 s by default); 10 s keeps the requeue test short.
AuthInfo=cred_expire=10
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$SPOOL
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
PlugStackConfig=$DIR/plugstack.conf
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
# Fast tests: start a job as soon as it is submitted, look at pending jobs (a requeued one
# whose hold has passed) every 2 s, keep ended jobs visible for 5 minutes.
SchedulerParameters=batch_sched_delay=0,sched_interval=2
MinJobAge=300
KillWait=10
$OVERRIDES
$NODE NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=test Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
CONF
cat >"$DIR/env.sh" <<ENV
# source this to talk to the test cluster started by tests/slurm/start_slurm.sh
export SLURM_CONF=$DIR/slurm.conf
ENV
export SLURM_CONF=$DIR/slurm.conf

# ---- daemons --------------------------------------------------------------------------------
# slurmd 22.05 initialises its cgroup plugin even with proctrack/linuxproc and refuses to start
# without a cgroup filesystem, which a chroot or minimal container may lack. Then mount what its
# autodetection accepts: a cgroup v1 layout (tmpfs + the name=systemd hierarchy, as a systemd
# host has), or a cgroup2 filesystem on a v2-only kernel. Each mount is recorded, so
# stop_slurm.sh unmounts exactly what was mounted here, in reverse order.
if [ "$(stat -f -c %T /sys/fs/cgroup 2>/dev/null)" = sysfs ]; then
  if mount -t tmpfs sb_cgroup_root /sys/fs/cgroup 2>/dev/null; then
    echo /sys/fs/cgroup >>"$DIR/mounted_cgroup"
    mkdir -p /sys/fs/cgroup/systemd
    if mount -t cgroup -o none,name=systemd sb_cgroup /sys/fs/cgroup/systemd 2>/dev/null; then
      echo /sys/fs/cgroup/systemd >>"$DIR/mounted_cgroup"
    else
      umount /sys/fs/cgroup && : >"$DIR/mounted_cgroup"
      mount -t cgroup2 sb_cgroup2 /sys/fs/cgroup 2>/dev/null && echo /sys/fs/cgroup >>"$DIR/mounted_cgroup"
    fi
  fi
  [ -s "$DIR/mounted_cgroup" ] ||
    skip "no cgroup filesystem at /sys/fs/cgroup and none can be mounted (slurmd needs one)"
fi
slurmctld -c || die "slurmctld did not start (see $DIR/log/slurmctld.log)"
slurmd || die "slurmd did not start (see $DIR/log/slurmd.log)"
for _ in $(seq 300); do
  state=$(sinfo -h -o %T 2>/dev/null | head -1 || true)
  [ "$state" = idle ] && break
  sleep 0.1
done
[ "$state" = idle ] || die "the node is '$state', not idle, after 30 s (see $DIR/log/)"
alive "$DIR/slurmctld.pid" slurmctld && alive "$DIR/slurmd.pid" slurmd || die "a daemon exited (see $DIR/log/)"
echo "start_slurm: cluster up in $DIR (slurmctld $(cat "$DIR/slurmctld.pid"), slurmd $(cat "$DIR/slurmd.pid"))" >&2
