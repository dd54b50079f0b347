# shellcheck shell=bash
# Test services for scripts/test.sh and scripts/bench.sh. Source it, call
# svc_init, then the svc_start_* functions you need. Every daemon runs as a
# child of the sourcing shell with its PID recorded; svc_stop_all (installed
# as the EXIT trap by svc_init) stops exactly those PIDs, so nothing
# outlives the run and no unrelated process is touched.
#
# Exported for tests:
#   PHONESET_TEST_DISPLAY  Xvfb display, e.g. ":1" (DISPLAY itself stays unset)
#   PHONESET_TEST_PG_DSN   superuser DSN of a throwaway PostgreSQL cluster
#   PHONESET_TEST_PULSE=1, PULSE_SERVER   PulseAudio with null sink "vspk"
#   PHONESET_TEST_KEYRING=1, DBUS_SESSION_BUS_ADDRESS   session bus with an
#                          unlocked gnome-keyring Secret Service
#   PHONESET_TEST_WINE=1, WINEPREFIX, WINEDLLOVERRIDES, WINEDEBUG   a Wine
#                          prefix that runs bin/phoneset.exe, one wineserver

svc_pids=()  # "pid:signal" in start order; signal may name a stop function
SVC_TMP=""
SVC_SCRIPTS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

svc_log() { echo "services: $*" >&2; }

svc_die() {
  svc_log "$*"
  exit 1
}

# svc_init makes the temp dir, isolates the environment from the caller's
# desktop session and installs the cleanup trap.
svc_init() {
  SVC_TMP=$(mktemp -d "${TMPDIR:-/tmp}/phoneset-test.XXXXXX")
  # PostgreSQL runs as another user when we are root and must reach its dir.
  chmod 711 "$SVC_TMP"
  trap svc_stop_all EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  # The XDG dirs below are per run, and Go's build cache defaults to
  # $XDG_CACHE_HOME/go-build: pin it first so every run reuses the cache.
  GOCACHE=$(go env GOCACHE)
  export GOCACHE
  # Tests must never touch the real desktop, keyring or sound server.
  unset DISPLAY WAYLAND_DISPLAY DBUS_SESSION_BUS_ADDRESS PULSE_SERVER LC_ALL LC_MESSAGES LANGUAGE
  export LANG=en_US.UTF-8
  export XDG_CONFIG_HOME="$SVC_TMP/config" XDG_CACHE_HOME="$SVC_TMP/cache" \
    XDG_DATA_HOME="$SVC_TMP/data" XDG_RUNTIME_DIR="$SVC_TMP/runtime"
  mkdir -m 700 "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME" "$XDG_DATA_HOME" "$XDG_RUNTIME_DIR"
}

# svc_track remembers a started daemon and how to stop it gracefully: a
# signal name, or a function svc_stop_all calls with the PID.
svc_track() { svc_pids+=("$1:$2"); }

svc_alive() { kill -0 "$1" 2>/dev/null; }

# svc_wait_until polls a condition for up to $1 seconds while daemon $2 lives.
svc_wait_until() {
  local secs=$1 pid=$2
  shift 2
  local deadline=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    svc_alive "$pid" || return 1
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.05
  done
}

svc_stop_all() {
  local rc=$? i entry pid sig n
  # Stop in reverse start order: tests' clients before the servers they use.
  for ((i = ${#svc_pids[@]} - 1; i >= 0; i--)); do
    entry=${svc_pids[i]}
    pid=${entry%%:*}
    sig=${entry#*:}
    svc_alive "$pid" || continue
    if declare -F "$sig" >/dev/null; then
      "$sig" "$pid" || true
    else
      kill "-$sig" "$pid" 2>/dev/null || true
    fi
    for ((n = 0; n < 100; n++)); do
      svc_alive "$pid" || break
      # A reaped child no longer exists; an unreaped one shows as a zombie.
      [ "$(cut -d' ' -f3 "/proc/$pid/stat" 2>/dev/null)" = Z ] && break
      sleep 0.05
    done
    if svc_alive "$pid" && [ "$(cut -d' ' -f3 "/proc/$pid/stat" 2>/dev/null)" != Z ]; then
      svc_log "pid $pid ignored SIG$sig, killing"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
  done
  svc_pids=()
  if [ -n "$SVC_TMP" ]; then
    # Files PostgreSQL wrote as its own user are removable by root anyway.
    rm -rf "$SVC_TMP" 2>/dev/null || svc_log "could not remove $SVC_TMP"
    SVC_TMP=""
  fi
  return $rc
}

# svc_port_free reports whether nothing listens on 127.0.0.1:$1.
svc_port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

svc_free_port() {
  local port
  for _ in $(seq 50); do
    port=$((20000 + RANDOM % 40000))
    if svc_port_free "$port"; then
      echo "$port"
      return 0
    fi
  done
  svc_die "no free TCP port found"
}

svc_start_xvfb() {
  local fdfile="$SVC_TMP/xvfb.display"
  : >"$fdfile"
  # -displayfd picks a free display number and writes it once the server
  # accepts connections, so there is no race with other X servers.
  Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp -noreset 3>"$fdfile" >"$SVC_TMP/xvfb.log" 2>&1 &
  local pid=$!
  svc_track "$pid" TERM
  svc_wait_until 30 "$pid" grep -q '[0-9]' "$fdfile" ||
    svc_die "Xvfb did not start: $(tail -5 "$SVC_TMP/xvfb.log")"
  PHONESET_TEST_DISPLAY=":$(tr -dc 0-9 <"$fdfile")"
  export PHONESET_TEST_DISPLAY
  svc_log "Xvfb $PHONESET_TEST_DISPLAY (pid $pid)"
}

svc_pg_bindir() {
  local d
  # The newest installed major version; Debian 12 ships 15.
  d=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  if [ ! -x "$d/postgres" ]; then
    svc_die "PostgreSQL server not found under /usr/lib/postgresql"
  fi
  echo "$d"
}

svc_start_postgres() {
  local bin dir run=() port pid attempt
  bin=$(svc_pg_bindir)
  dir="$SVC_TMP/pg"
  mkdir -m 700 "$dir"
  if [ "$(id -u)" -eq 0 ]; then
    # PostgreSQL refuses to run as root. setpriv execs in place, so the PID
    # we record is the postmaster's own.
    id postgres >/dev/null 2>&1 || svc_die "user postgres missing (install postgresql)"
    chown postgres:postgres "$dir"
    run=(setpriv --reuid=postgres --regid=postgres --init-groups --)
  fi
  # cd: the postgres user may not be able to read the caller's directory.
  (cd "$dir" && exec "${run[@]}" "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --no-locale --no-sync) \
    >"$SVC_TMP/initdb.log" 2>&1 || svc_die "initdb failed: $(tail -5 "$SVC_TMP/initdb.log")"
  # A port can be taken between the check and the bind: retry with another.
  for attempt in 1 2 3 4 5; do
    port=$(svc_free_port)
    (cd "$dir" && exec "${run[@]}" "$bin/postgres" -D "$dir/data" -k "$dir" -h 127.0.0.1 -p "$port" \
      -c fsync=off -c synchronous_commit=off -c full_page_writes=off) \
      >"$SVC_TMP/postgres.log" 2>&1 &
    pid=$!
    if svc_wait_until 30 "$pid" "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres; then
      # SIGINT is PostgreSQL's fast shutdown: it does not wait for clients.
      svc_track "$pid" INT
      export PHONESET_TEST_PG_DSN="postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
      svc_log "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (pid $pid)"
      return 0
    fi
    kill -INT "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    svc_log "PostgreSQL attempt $attempt on port $port failed: $(tail -3 "$SVC_TMP/postgres.log")"
  done
  svc_die "PostgreSQL did not start"
}

# svc_start_pulse [NAME] starts PulseAudio and points PULSE_SERVER at it. A
# NAME gives the server its own runtime dir, socket and log, so that several
# run side by side (scripts/soak-headset.sh); the last one started is the
# one PULSE_SERVER names.
svc_start_pulse() {
  local name=pulse${1:+-$1} pid
  local run="$XDG_RUNTIME_DIR${1:+/$name}"
  local sock="$run/pulse-native"
  mkdir -p -m 700 "$run"
  # Clients must never autospawn a second, untracked server. Audio goes over
  # the socket, not shared memory: PulseAudio 16's memfd path logs "Cannot
  # send block reference with non-registered memfd ID" (its issue 824) under
  # the tests' many parallel streams, and the server has aborted there.
  printf 'autospawn = no\nenable-shm = no\n' >"$SVC_TMP/pulse-client.conf"
  export PULSE_CLIENTCONFIG="$SVC_TMP/pulse-client.conf"
  # No CPU limiter: on a busy CI machine it would end the server mid-run.
  XDG_RUNTIME_DIR=$run pulseaudio -n --daemonize=no --exit-idle-time=-1 --use-pid-file=no --system=no \
    --disallow-exit --log-target=stderr --disable-shm=yes --no-cpu-limit \
    --load="module-native-protocol-unix auth-anonymous=1 socket=$sock" \
    --load="module-null-sink sink_name=vspk sink_properties=device.description=VirtualSpeaker rate=48000" \
    --load="module-always-sink" >"$SVC_TMP/$name.log" 2>&1 &
  pid=$!
  svc_track "$pid" TERM
  export PULSE_SERVER="unix:$sock"
  svc_wait_until 30 "$pid" pactl info ||
    svc_die "PulseAudio did not start: $(tail -5 "$SVC_TMP/$name.log")"
  pactl info | grep -q '^Default Sink: vspk$' || svc_die "PulseAudio default sink is not vspk"
  export PHONESET_TEST_PULSE=1
  svc_log "PulseAudio $PULSE_SERVER (pid $pid)"
}

# svc_start_keyring starts a private session bus and an unlocked
# gnome-keyring Secret Service on it. Running dbus-daemon ourselves (rather
# than dbus-run-session) keeps both PIDs in our hands; the bus config has no
# service directories, so nothing is ever auto-activated behind our back.
svc_start_keyring() {
  local conf="$SVC_TMP/dbus-session.conf" addr="$SVC_TMP/dbus.addr" dpid kpid
  cat >"$conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=$SVC_TMP/dbus.sock</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
EOF
  : >"$addr"
  dbus-daemon --config-file="$conf" --nofork --nopidfile --print-address=3 3>"$addr" \
    >"$SVC_TMP/dbus.log" 2>&1 &
  dpid=$!
  svc_track "$dpid" TERM
  svc_wait_until 30 "$dpid" grep -q unix: "$addr" ||
    svc_die "dbus-daemon did not start: $(tail -5 "$SVC_TMP/dbus.log")"
  export DBUS_SESSION_BUS_ADDRESS
  DBUS_SESSION_BUS_ADDRESS=$(head -n 1 "$addr")

  printf %s testpass >"$SVC_TMP/keyring.pass"
  gnome-keyring-daemon --foreground --unlock --components=secrets \
    <"$SVC_TMP/keyring.pass" >"$SVC_TMP/keyring.log" 2>&1 &
  kpid=$!
  svc_track "$kpid" TERM
  svc_wait_until 30 "$kpid" svc_bus_has_name org.freedesktop.secrets ||
    svc_die "gnome-keyring did not register: $(tail -5 "$SVC_TMP/keyring.log")"
  export PHONESET_TEST_KEYRING=1
  svc_log "session bus and gnome-keyring (pids $dpid $kpid)"
}

svc_bus_has_name() {
  dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.NameHasOwner "string:$1" 2>/dev/null | grep -q 'boolean true'
}

# svc_start_wine copies the Wine prefix of scripts/wine.sh (which installs
# Wine and builds the prefix when missing) for this run and starts one
# persistent wineserver, so every wine command of the run shares one Wine
# session: no reboot of the prefix per app start. Wine is optional unless
# PHONESET_REQUIRE_SERVICES=1; without it tests needing it skip.
svc_start_wine() {
  local template prefix pid
  if ! template=$("$SVC_SCRIPTS/wine.sh" 2>"$SVC_TMP/wine-setup.log"); then
    svc_wine_missing "scripts/wine.sh failed: $(tail -5 "$SVC_TMP/wine-setup.log")"
    return 0
  fi
  prefix="$SVC_TMP/wine"
  mkdir -p "$prefix/drive_c/windows"
  # The DLLs (630 MB) are hard links: Wine only reads them. The registry and
  # the user's files are copies, so this run's writes stay in this run.
  tar -C "$template" --exclude=./drive_c/windows/system32 -cf - . | tar -C "$prefix" -xf -
  cp -al "$template/drive_c/windows/system32" "$prefix/drive_c/windows/"
  export WINEPREFIX="$prefix" WINEARCH=win64 WINEDEBUG=-all \
    WINEDLLOVERRIDES="bcryptprimitives=n;mscoree=;mshtml=;winemenubuilder.exe=d"
  wineserver --foreground --persistent >"$SVC_TMP/wineserver.log" 2>&1 &
  pid=$!
  svc_track "$pid" svc_stop_wineserver
  # Boots the session (services.exe and friends) once, for all later starts.
  if ! env -u DISPLAY wine cmd.exe /c exit 0 >"$SVC_TMP/wine-boot.log" 2>&1; then
    svc_wine_missing "wine does not start: $(tail -5 "$SVC_TMP/wine-boot.log" "$SVC_TMP/wineserver.log")"
    return 0
  fi
  export PHONESET_TEST_WINE=1
  svc_log "Wine $(wine --version) in $WINEPREFIX (wineserver pid $pid)"
}

# svc_stop_wineserver ends the Wine session: wineserver -k kills its
# processes too, which a signal to the server alone would leave running.
svc_stop_wineserver() { wineserver -k; }

svc_wine_missing() {
  if [ "${PHONESET_REQUIRE_SERVICES:-}" = 1 ]; then
    svc_die "$*"
  fi
  svc_log "no Wine, its tests skip: $*"
}

svc_start_all() {
  svc_start_xvfb
  svc_start_postgres
  svc_start_pulse
  svc_start_keyring
  svc_start_wine
}
