#!/usr/bin/env bash
# The headset check's soak (issue 14): every cell of TestPulseCheckMatrix
# (7 rates, mono and stereo), and TestPulseCheckMixedFormats (a 16 kHz mono
# microphone on a 44.1 kHz stereo speaker), PHONESET_CHECK_RUNS checks in a
# row per spacing (back to back, 0.3 s and 1 s apart), spread over K private
# PulseAudio servers that run side by side. One server would take about
# 2.5 hours: the checks are real-time and mostly wait. Not part of make
# test (too long): make soak-headset.
#
# Prints a table per cell and spacing: checks; how many said the headset
# works; proven-1st, the checks whose first try broke up with the recording
# proving the dropout (digital silence), which the test tries again, as the
# verdict tells the user to; retries, all such tries; and the other
# verdicts, which fail the soak (exit status 1).
#
#   scripts/soak-headset.sh [K]    K servers (default 7)
#   PHONESET_CHECK_RUNS=N          checks per cell and spacing (default 100)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
# shellcheck source=scripts/services.sh
. scripts/services.sh

k=${1:-7}
export PHONESET_CHECK_RUNS=${PHONESET_CHECK_RUNS:-100} PHONESET_REQUIRE_SERVICES=1
cells=()
for rate in 8000 16000 22050 32000 44100 48000 96000; do
  for ch in 1 2; do
    cells+=("^TestPulseCheckMatrix\$/^${rate}Hz_${ch}ch\$")
  done
done
cells+=('^TestPulseCheckMixedFormats$')

svc_init
out=$SVC_TMP/soak
mkdir "$out"
bin=$SVC_TMP/audio.test
go test -c -o "$bin" ./audio
servers=()
for ((w = 0; w < k; w++)); do
  svc_start_pulse "soak$w"
  servers+=("$PULSE_SERVER")
done

# worker W runs cells W, W+K, ... one after another on server W. The test
# binary runs in audio/, as go test runs it.
worker() {
  local w=$1 i
  for ((i = w; i < ${#cells[@]}; i += k)); do
    (cd audio && PULSE_SERVER=${servers[w]} go tool test2json -t "$bin" \
      -test.v=test2json -test.run "${cells[i]}" -test.timeout 3h) >"$out/cell$i.json" 2>&1 || true
  done
}

echo "soak: ${#cells[@]} cells, $PHONESET_CHECK_RUNS checks per spacing, $k PulseAudio servers; load $(cut -d' ' -f1-3 /proc/loadavg) at $(date -u +%H:%M) UTC"
start=$SECONDS
pids=()
for ((w = 0; w < k; w++)); do
  worker "$w" &
  pids+=($!)
done
wait "${pids[@]}"
echo "soak: took $(((SECONDS - start) / 60)) min; load $(cut -d' ' -f1-3 /proc/loadavg) at $(date -u +%H:%M) UTC"
echo

# The table, from the test's own log lines (audio/pulse_check_test.go
# runChecks and summary): "W/N ok" counts the checks that said it works;
# "check I of N broke up (..., D of it digital silence), trying
# again" is a first try whose breakup the recording proved; "check I of N:
# V, want ok" a verdict other than works.
status=0
for ((i = 0; i < ${#cells[@]}; i++)); do cat "$out/cell$i.json"; done | python3 -c '
import json, re, sys, collections
tests = collections.OrderedDict()
for line in sys.stdin:
    try:
        ev = json.loads(line)
    except ValueError:
        continue
    name = ev.get("Test", "")
    if name.count("/") != 2 and not name.startswith("TestPulseCheckMixedFormats"):
        continue
    t = tests.setdefault(name, {"retried": set(), "retries": 0, "other": collections.Counter(), "result": "?"})
    if ev.get("Action") in ("pass", "fail", "skip"):
        t["result"] = ev["Action"]
    msg = ev.get("Output", "")
    m = re.search(r"check (\d+) of \d+ broke up", msg)
    if m:
        t["retried"].add(m.group(1))
        t["retries"] += 1
    m = re.search(r"check \d+ of \d+: ([a-z ]+), want ok", msg)
    if m:
        t["other"][m.group(1)] += 1
    m = re.search(r"(\d+)/(\d+) ok, \d+ broke up", msg)
    if m:
        t["works"], t["n"] = int(m.group(1)), int(m.group(2))
    if re.search(r"check \d+ took ", msg):
        t["other"]["over 3 s"] += 1
print("%-20s %-8s %6s %6s %10s %8s  %s" % ("cell", "spacing", "checks", "works", "proven-1st", "retries", "other verdicts"))
totals = [0, 0, 0, 0]
for name, t in tests.items():
    parts = name.split("/")
    cell = parts[1] if len(parts) > 1 else "mixed 44k2/16k1"
    spacing = parts[2][3:] if len(parts) > 2 else "300ms"
    works = t.get("works", 0)
    # summary counts the broken-up tries that were tried again too.
    checks = t.get("n", t["retries"]) - t["retries"]
    other = ", ".join("%s %d" % kv for kv in sorted(t["other"].items())) or "-"
    if t["result"] != "pass":
        other += " [" + t["result"] + "]"
    print("%-20s %-8s %6d %6d %10d %8d  %s" % (cell, spacing, checks, works, len(t["retried"]), t["retries"], other))
    for i, v in enumerate((checks, works, len(t["retried"]), t["retries"])):
        totals[i] += v
print("%-20s %-8s %6d %6d %10d %8d" % ("all", "", *totals))
sys.exit(0 if totals[0] == totals[1] and all(t["result"] == "pass" for t in tests.values()) else 1)
' || status=$?
echo
echo "soak: logs in $out (removed on exit; set KEEP=dir to copy them)"
if [ -n "${KEEP:-}" ]; then
  cp -r "$out" "$KEEP"
fi
exit $status
