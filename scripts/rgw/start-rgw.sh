#!/usr/bin/env bash
# A throwaway S3 engine for runlog's S3 tests: Ceph RADOS Gateway (RGW) on 127.0.0.1.
#
#   scripts/rgw/start-rgw.sh start [DATA_DIR]   start (or find running) and print the S3 env
#   scripts/rgw/start-rgw.sh stop [DATA_DIR]    stop the daemons this script started there
#   scripts/rgw/start-rgw.sh status [DATA_DIR]  exit 0 if all three daemons run
#
# `start` prints, once a signed S3 request works (progress goes to stderr):
#   S3_ENDPOINT=http://127.0.0.1:17480
#   AWS_ACCESS_KEY_ID=…  AWS_SECRET_ACCESS_KEY=…  AWS_REGION=us-east-1   (fixed test keys)
# one per line, so that `set -a; eval "$(scripts/rgw/start-rgw.sh start)"; set +a` exports them
# (the same lines are kept in DATA_DIR/env). `start` is idempotent: on running daemons it only
# checks the endpoint and prints the env again; concurrent starts wait for each other (flock).
#
# How: Debian bookworm's ceph 16.2 packages, fetched with `apt-get download` and unpacked with
# `dpkg -x` into node_modules/.cache/runlog-rgw/ (nothing is installed system-wide; a fresh
# `npm ci` starts without the cache). One monitor, one memstore OSD (objects live in its RAM)
# and radosgw, all on 127.0.0.1, cephx off. DATA_DIR defaults to $TMPDIR/runlog-rgw-<uid>.
# A clean stop makes the OSD save its objects to DATA_DIR and the next start reuses them (~3 s);
# after an unclean stop (a daemon was killed or died) the next start creates a new cluster
# (~20 s, plus ~5 s to download and unpack the packages the first time).
#
# Environment: RGW_PORT (17480), MON_PORT (16789), RUNLOG_RGW_DATA (the default DATA_DIR),
# RUNLOG_RGW_CACHE (the package cache). Needs bash, curl, flock, dpkg, apt-get and Debian
# bookworm's /usr/bin/python3 (3.11: the `ceph` command's rados module is built for it).
# Adapted from ../shared/reference/s3-ceph-rgw/ (beside this repository), whose FINDINGS.md
# records how RGW behaves and why each setting is here.
set -Eeuo pipefail

SELF=$(readlink -f "$0")
REPO=$(cd "$(dirname "$SELF")/../.." && pwd)

# Found with ldd over every binary, plugin, rados class and python module used: apt's full
# dependency closure of the three daemons is 63 packages, most of them not needed here.
PKGS="ceph-mon ceph-osd radosgw ceph-common ceph-base librados2 libradosstriper1
libboost-thread1.74.0 libboost-context1.74.0 libfmt9 libibverbs1 librdmacm1 libnl-3-200
libnl-route-3-200 libleveldb1d libsnappy1v5 liblua5.3-0 librabbitmq4 liboath0 libaio1 libdaxctl1
libndctl6 libpmem1 libfuse2 python3-rados python3-ceph-argparse python3-ceph-common
python3-prettytable python3-wcwidth"

RGW_PORT=${RGW_PORT:-17480}
MON_PORT=${MON_PORT:-16789}
CACHE=${RUNLOG_RGW_CACHE:-$REPO/node_modules/.cache/runlog-rgw}
# Test-only keys of the local user `runlog`: nothing else accepts them.
ACCESS_KEY=RUNLOGTESTKEY0000000
SECRET_KEY=runlogtestsecret0000000000000000000000000
REGION=us-east-1
MEMSTORE_BYTES=2147483648 # the OSD's RAM "disk"
READY_TIMEOUT=300         # seconds, for each daemon and for the first signed request
DAEMONS="mon osd rgw"

log() { printf '[start-rgw %s] %s\n' "$(date +%T)" "$*" >&2; }
STARTING=0 # while 1, a failure stops whatever this start began
die() {
  log "ERROR: $*"
  if [ "$STARTING" = 1 ]; then STARTING=0; log "stopping what this start began"; stop_all || true; fi
  exit 1
}
trap 'die "command failed (status $?, line $LINENO): $BASH_COMMAND"' ERR
trap 'die "interrupted"' INT TERM HUP
usage() { sed -n '2,6p' "$SELF" >&2; exit 2; }

# ---------- pids: only processes this script started, recognised by their start time ----------
proc_start() { # pid -> start time (field 22 of /proc/pid/stat); fails if gone or a zombie
  local s
  s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  s=${s##*) } # drop "pid (comm) "
  # shellcheck disable=SC2086 # split the fields on purpose
  set -- $s
  case "$1" in Z | X | x) return 1 ;; esac # a zombie has exited; pid 1 may reap it late
  echo "${20}"
}
record_pid() { # name pid
  local st
  st=$(proc_start "$2") || die "$1 (pid $2) exited at once; see $DATA/log/$1.out"
  echo "$2 $st" >"$DATA/run/$1.pid"
}
live_pid() { # name -> prints the pid if the recorded process still runs (same start time)
  local f="$DATA/run/$1.pid" pid st now
  [ -f "$f" ] || return 1
  read -r pid st <"$f" || return 1
  now=$(proc_start "$pid") || return 1
  [ "$now" = "$st" ] || return 1
  echo "$pid"
}

stop_all() {
  # SIGTERM in reverse start order; the OSD then saves memstore to DATA. If a recorded daemon is
  # already dead, the data is not trusted: the others get SIGKILL at once (radosgw would otherwise
  # wait 120 s for a dead OSD) and the next start re-creates the cluster.
  local name pid _ unclean=0 recorded=0 dead="" limit=300
  [ -d "$DATA/run" ] || { log "nothing recorded in $DATA"; return 0; }
  for name in $DAEMONS; do
    [ -f "$DATA/run/$name.pid" ] || continue
    recorded=1
    live_pid "$name" >/dev/null || dead="$dead $name"
  done
  if [ "$recorded" = 0 ]; then log "nothing recorded in $DATA/run"; return 0; fi
  if [ -n "$dead" ]; then log "not running:$dead: SIGKILL for the others"; unclean=1; fi
  for name in rgw osd mon; do
    if pid=$(live_pid "$name"); then
      if [ "$unclean" = 0 ]; then
        log "stopping $name (pid $pid)"
        kill -TERM "$pid" 2>/dev/null || true
        limit=300; [ "$name" = osd ] && limit=1200 # tenths of a second; the OSD saves its data
        for _ in $(seq 1 $limit); do live_pid "$name" >/dev/null || break; sleep 0.1; done
      fi
      if live_pid "$name" >/dev/null; then
        [ "$unclean" = 0 ] && log "$name (pid $pid) still runs after $((limit / 10)) s"
        log "SIGKILL $name (pid $pid)"
        kill -KILL "$pid" 2>/dev/null || true
        unclean=1
        for _ in $(seq 1 100); do live_pid "$name" >/dev/null || break; sleep 0.1; done
      fi
    fi
    rm -f "$DATA/run/$name.pid"
  done
  if [ "$unclean" = 0 ] && [ -f "$DATA/.initialized" ]; then touch "$DATA/.clean"; else rm -f "$DATA/.clean"; fi
  log "stopped$([ "$unclean" = 1 ] && echo ' (unclean: the next start creates a new cluster)')"
}

# ---------- packages ----------
fetch_debs() {
  mkdir -p "$CACHE/debs"
  local missing="" p sandbox=()
  for p in $PKGS; do compgen -G "$CACHE/debs/${p}_*.deb" >/dev/null || missing="$missing $p"; done
  [ -z "$missing" ] && return 0
  log "apt-get download:$missing"
  # As root, apt drops to the _apt user, who cannot write into the cache.
  [ "$(id -u)" = 0 ] && sandbox=(-o APT::Sandbox::User=root)
  # shellcheck disable=SC2086 # one word per package
  if ! (cd "$CACHE/debs" && apt-get "${sandbox[@]}" download $missing >&2); then
    [ "$(id -u)" = 0 ] || die "apt-get download failed; run 'apt-get update' as root and retry"
    log "apt-get download failed; running apt-get update once"
    apt-get update >&2
    # shellcheck disable=SC2086
    (cd "$CACHE/debs" && apt-get "${sandbox[@]}" download $missing >&2) || die "apt-get download failed"
  fi
}

unpack_root() { # sets ROOT: the unpacked packages, one folder per set of .deb files
  local debs=() p key
  for p in $PKGS; do debs+=("$(compgen -G "$CACHE/debs/${p}_*.deb" | sort | tail -n1)"); done
  key=$(printf '%s\n' "${debs[@]##*/}" | sha256sum | cut -c1-12)
  ROOT="$CACHE/root-$key"
  [ -f "$ROOT/.complete" ] && return 0
  log "unpacking ${#debs[@]} packages into $ROOT"
  rm -rf "$ROOT.tmp"; mkdir -p "$ROOT.tmp"
  for p in "${debs[@]}"; do dpkg -x "$p" "$ROOT.tmp"; done
  printf '%s\n' "${debs[@]##*/}" >"$ROOT.tmp/.complete"
  rm -rf "$ROOT"; mv "$ROOT.tmp" "$ROOT"
}

ceph_env() {
  export LD_LIBRARY_PATH="$ROOT/usr/lib/x86_64-linux-gnu:$ROOT/usr/lib/x86_64-linux-gnu/ceph:$ROOT/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  export PYTHONPATH="$ROOT/usr/lib/python3/dist-packages"
  export PATH="$ROOT/usr/bin:$ROOT/usr/sbin:$PATH"
  export CEPH_CONF="$DATA/ceph.conf"
  local b
  for b in ceph-mon ceph-osd radosgw radosgw-admin monmaptool ceph-authtool; do
    if ldd "$ROOT/usr/bin/$b" | grep -q 'not found'; then
      die "$b misses libraries: $(ldd "$ROOT/usr/bin/$b" | grep 'not found' | tr -s ' \t\n' ' ')"
    fi
  done
  /usr/bin/python3 -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null ||
    die "the ceph command needs /usr/bin/python3 to be Python 3.11 (Debian bookworm's python3)"
}
ceph_cli() { timeout 30 /usr/bin/python3 "$ROOT/usr/bin/ceph" -c "$DATA/ceph.conf" --connect-timeout 20 "$@"; }

write_conf() { # fsid
  local lib="$ROOT/usr/lib/x86_64-linux-gnu"
  cat >"$DATA/ceph.conf" <<EOF
[global]
fsid = $1
mon_host = v1:127.0.0.1:$MON_PORT
public_addr = 127.0.0.1
cluster_addr = 127.0.0.1
ms_bind_msgr2 = false
ms_bind_ipv6 = false
auth_cluster_required = none
auth_service_required = none
auth_client_required = none
keyring = $DATA/keyring
run_dir = $DATA/run
admin_socket = $DATA/run/\$cluster-\$name.asok
log_file = $DATA/log/\$cluster-\$name.log
mon_cluster_log_file = $DATA/log/cluster.log
plugin_dir = $lib/ceph
erasure_code_dir = $lib/ceph/erasure-code
osd_class_dir = $lib/rados-classes
osd_class_load_list = *
osd_class_default_list = *
# one OSD: pools of size 1, few PGs, no health warnings about it
osd_pool_default_size = 1
osd_pool_default_min_size = 1
osd_pool_default_pg_num = 8
osd_pool_default_pgp_num = 8
osd_pool_default_pg_autoscale_mode = off
mon_allow_pool_size_one = true
mon_warn_on_pool_no_redundancy = false
osd_crush_chooseleaf_type = 0
mon_max_pg_per_osd = 1000
# a nearly full /tmp must not stop the monitor
mon_data_avail_crit = 1
mon_data_avail_warn = 2
[mon]
mon_data = $DATA/mon/\$cluster-\$id
[osd]
osd_class_update_on_start = false
osd_crush_update_on_start = false
osd_data = $DATA/osd/\$cluster-\$id
osd_objectstore = memstore
# a full shutdown on SIGTERM, so that memstore saves its objects to osd_data (the default fast
# shutdown skips that, and the next start has an OSD without PGs: radosgw then hangs)
osd_fast_shutdown = false
memstore_device_bytes = $MEMSTORE_BYTES
[client.rgw]
rgw_frontends = beast endpoint=127.0.0.1:$RGW_PORT
rgw_data = $DATA/rgw
# deleted, overwritten and aborted data waits for RGW's garbage collector, by default for 2 h;
# memstore keeps it in RAM until then
rgw_gc_obj_min_wait = 60
rgw_gc_processor_period = 60
EOF
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

spawn() { # name cmd... : a daemon in its own session, its pid recorded with its start time
  local name=$1 pid comm="" _
  shift
  setsid "$@" -f </dev/null >>"$DATA/log/$name.out" 2>&1 9>&- &
  pid=$!
  for _ in $(seq 1 100); do # until setsid has exec'd the daemon (the same pid: no fork)
    comm=$(cat "/proc/$pid/comm" 2>/dev/null || true)
    case "$comm" in ceph-mon | ceph-osd | radosgw) break ;; esac
    sleep 0.05
  done
  case "$comm" in
    ceph-mon | ceph-osd | radosgw) ;;
    *)
      kill -KILL "$pid" 2>/dev/null || true # our own child, whatever it became
      die "pid $pid is '$comm', not the $name daemon; see $DATA/log/$name.out"
      ;;
  esac
  record_pid "$name" "$pid"
  log "started $name (pid $pid)"
}

wait_for() { # what timeout cmd...
  local what=$1 end=$((SECONDS + $2)) n
  shift 2
  until "$@" >/dev/null 2>&1; do
    for n in $DAEMONS; do
      if [ -f "$DATA/run/$n.pid" ] && ! live_pid "$n" >/dev/null; then
        die "$n died while waiting for $what; see $DATA/log/: $(tail -n5 "$DATA/log/$n.out" 2>/dev/null)"
      fi
    done
    [ $SECONDS -lt $end ] || die "timed out waiting for $what; see $DATA/log/"
    sleep 0.5
  done
}

osd_up() { ceph_cli osd dump 2>/dev/null | grep -q '^osd.0 up'; }
s3() { # curl signs with SigV4, but RGW rejects the signature unless the payload hash is sent
  curl -sS --max-time 20 --aws-sigv4 "aws:amz:$REGION:s3" --user "$ACCESS_KEY:$SECRET_KEY" \
    -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' "$@"
}
s3_ok() { [ "$(s3 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$RGW_PORT/")" = 200 ]; }
http_up() { curl -s -o /dev/null --max-time 5 "http://127.0.0.1:$RGW_PORT/"; }

create_cluster() {
  log "creating a new cluster in $DATA"
  rm -rf "$DATA/mon" "$DATA/osd" "$DATA/rgw" "$DATA/run" "$DATA/log" "$DATA/.initialized" \
    "$DATA/.clean" "$DATA/.warm" "$DATA/monmap" "$DATA/keyring" "$DATA/ceph.conf" "$DATA/env"
  mkdir -p "$DATA/mon" "$DATA/osd/ceph-0" "$DATA/rgw" "$DATA/run" "$DATA/log"
  local fsid osd_uuid id
  fsid=$(cat /proc/sys/kernel/random/uuid)
  write_conf "$fsid"
  monmaptool --create --addv a "[v1:127.0.0.1:$MON_PORT]" --fsid "$fsid" "$DATA/monmap" >&2
  ceph-authtool --create-keyring "$DATA/keyring" --gen-key -n mon. --cap mon 'allow *' >&2
  ceph-mon -c "$DATA/ceph.conf" --mkfs -i a --monmap "$DATA/monmap" --keyring "$DATA/keyring" >&2
  spawn mon ceph-mon -c "$DATA/ceph.conf" -i a
  wait_for "the monitor" 60 ceph_cli mon stat
  osd_uuid=$(cat /proc/sys/kernel/random/uuid)
  id=$(ceph_cli osd new "$osd_uuid")
  [ "$id" = 0 ] || die "ceph osd new returned '$id', expected 0"
  ceph-osd -c "$DATA/ceph.conf" -i 0 --mkfs --osd-uuid "$osd_uuid" >>"$DATA/log/osd-mkfs.out" 2>&1 ||
    die "ceph-osd --mkfs failed: $(tail -n5 "$DATA/log/osd-mkfs.out")"
  ceph_cli osd crush add osd.0 1.0 root=default host=localhost >&2
  spawn osd ceph-osd -c "$DATA/ceph.conf" -i 0
  wait_for "osd.0 up" 120 osd_up
  spawn rgw radosgw -c "$DATA/ceph.conf" -n client.rgw
  wait_for "radosgw on port $RGW_PORT" "$READY_TIMEOUT" http_up
  log "radosgw answers on port $RGW_PORT"
  # Without `-n client.rgw`: that would try to bind the running radosgw's admin socket.
  radosgw-admin -c "$DATA/ceph.conf" user create --uid=runlog --display-name=runlog \
    --access-key="$ACCESS_KEY" --secret-key="$SECRET_KEY" >"$DATA/log/user-create.out" 2>&1 ||
    die "radosgw-admin user create failed: $(tail -n5 "$DATA/log/user-create.out")"
  touch "$DATA/.initialized"
  log "user runlog created"
}

restart_cluster() {
  log "restarting the cluster in $DATA"
  rm -f "$DATA/.clean" # set again only by a clean stop
  write_conf "$(sed -n 's/^fsid = //p' "$DATA/ceph.conf")" # same fsid; the RGW port may change
  spawn mon ceph-mon -c "$DATA/ceph.conf" -i a
  wait_for "the monitor" 60 ceph_cli mon stat
  local before pgs
  before=$(grep -c 'load_pgs opened' "$DATA/log/ceph-osd.0.log" 2>/dev/null || true)
  spawn osd ceph-osd -c "$DATA/ceph.conf" -i 0
  wait_for "osd.0 up" 120 osd_up
  # An OSD that comes back without its placement groups would hang radosgw for good.
  pgs=$(grep 'load_pgs opened' "$DATA/log/ceph-osd.0.log" | sed -n "$((before + 1)),\$p" | tail -n1 |
    sed 's/.*opened \([0-9]*\) pgs.*/\1/')
  if [ "${pgs:-0}" = 0 ]; then
    log "the OSD came back without its data: creating a new cluster"
    stop_all; rm -f "$DATA/.clean"; create_cluster; return
  fi
  spawn rgw radosgw -c "$DATA/ceph.conf" -n client.rgw
  wait_for "radosgw on port $RGW_PORT" "$READY_TIMEOUT" http_up
}

warmup() { # creates RGW's pools now, so that the first test does not wait for them
  # (a part upload creates default.rgw.buckets.non-ec; curl signs "?uploads" wrongly, "?uploads=" works)
  local b="http://127.0.0.1:$RGW_PORT/start-rgw-warmup" up
  s3 -f -o /dev/null -X PUT "$b" || return 1
  s3 -f -o /dev/null -X PUT --data-binary warm "$b/k" || return 1
  up=$(s3 -f -X POST "$b/k?uploads=" | sed -n 's:.*<UploadId>\(.*\)</UploadId>.*:\1:p')
  [ -n "$up" ] || return 1
  s3 -f -o /dev/null -X PUT --data-binary part "$b/k?partNumber=1&uploadId=$up" || return 1
  s3 -f -o /dev/null -X DELETE "$b/k?uploadId=$up"
  s3 -f -o /dev/null -X DELETE "$b/k"
  s3 -f -o /dev/null -X DELETE "$b"
}

all_running() { # all three recorded daemons run, with radosgw on RGW_PORT
  local n
  for n in $DAEMONS; do live_pid "$n" >/dev/null || return 1; done
  grep -q "endpoint=127.0.0.1:$RGW_PORT\$" "$DATA/ceph.conf" 2>/dev/null
}

print_env() {
  printf '%s\n' "S3_ENDPOINT=http://127.0.0.1:$RGW_PORT" "AWS_ACCESS_KEY_ID=$ACCESS_KEY" \
    "AWS_SECRET_ACCESS_KEY=$SECRET_KEY" "AWS_REGION=$REGION" >"$DATA/env"
  cat "$DATA/env"
}

start() {
  mkdir -p "$DATA"
  DATA=$(readlink -f "$DATA")
  exec 9>"$DATA/.lock"
  # Test processes of several runtimes may start at once: the later ones wait, then find it running.
  flock -w "$READY_TIMEOUT" 9 || die "another start-rgw.sh held $DATA/.lock for $READY_TIMEOUT s"
  local t0=$SECONDS n p
  if all_running; then
    log "already running in $DATA"
  else
    mkdir -p "$CACHE"
    CACHE=$(readlink -f "$CACHE")
    fetch_debs
    unpack_root
    ceph_env
    STARTING=1
    for n in $DAEMONS; do
      if live_pid "$n" >/dev/null; then log "some daemons of $DATA run, others not: stopping them"; stop_all; break; fi
    done
    for p in "$MON_PORT" "$RGW_PORT"; do port_free "$p" || die "port $p on 127.0.0.1 is taken by another process"; done
    if [ -f "$DATA/.initialized" ] && [ -f "$DATA/.clean" ] && grep -q "$ROOT/" "$DATA/ceph.conf" &&
      grep -q "^mon_host = v1:127.0.0.1:$MON_PORT\$" "$DATA/ceph.conf"; then
      restart_cluster
    else
      [ -f "$DATA/.initialized" ] && log "the last stop was not clean (or the packages or MON_PORT changed)"
      create_cluster
    fi
  fi
  wait_for "a signed S3 request" "$READY_TIMEOUT" s3_ok
  if [ ! -f "$DATA/.warm" ]; then
    if warmup; then touch "$DATA/.warm"; log "warm-up done"; else log "warm-up failed (not fatal)"; fi
  fi
  STARTING=0
  log "ready in $((SECONDS - t0)) s"
  print_env
}

if [ $# -lt 1 ] || [ $# -gt 2 ]; then usage; fi
DATA=${2:-${RUNLOG_RGW_DATA:-${TMPDIR:-/tmp}/runlog-rgw-$(id -u)}}
case "$1" in
  start) start ;;
  stop)
    if [ -d "$DATA" ]; then
      DATA=$(readlink -f "$DATA")
      exec 9>"$DATA/.lock"
      flock -w "$READY_TIMEOUT" 9 || die "a start on $DATA holds its lock"
    fi
    stop_all
    ;;
  status)
    rc=0
    for n in $DAEMONS; do if p=$(live_pid "$n"); then echo "$n $p"; else echo "$n down"; rc=1; fi; done
    exit $rc
    ;;
  *) usage ;;
esac
