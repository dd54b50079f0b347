#!/usr/bin/env bash
# Times the avatar pipeline on one generated 12-megapixel JPEG, three ways,
# in the same run: photo (Go + libjpeg-turbo, via photo/internal/photobench),
# ImageMagick's convert with a jpeg:size hint, and vipsthumbnail. Each makes
# the centred square crop at 512, 256, 128 and 64 px, JPEG quality 88,
# metadata stripped. Rounds interleave the tools so background load hits
# them alike; the table shows medians of wall time (whole process, as a
# server or a user would see it) and of CPU time.
#
#   scripts/bench-photo.sh            RUNS=15 scripts/bench-photo.sh
#
# Targets: faster than ImageMagick, within 1.5x of vipsthumbnail.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh

RUNS=${RUNS:-10}
SIZE=${SIZE:-4000x3000}
# /usr/local/bin/convert may be a stand-in script; Debian's real one is here.
IM=${IM:-/usr/bin/convert}
VIPS=${VIPS:-$(command -v vipsthumbnail || true)}

tools=(go)
if "$IM" -version 2>/dev/null | grep -q ImageMagick; then
	tools+=(im)
else
	echo "bench-photo: no ImageMagick at $IM (apt-get install imagemagick); its rows are left out" >&2
fi
if [ -x "$VIPS" ]; then
	tools+=(vips512 vips)
else
	echo "bench-photo: no vipsthumbnail (apt-get install libvips-tools); its rows are left out" >&2
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/go" "$work/im" "$work/vips"

go build -o "$work/photobench" ./photo/internal/photobench
"$work/photobench" -gen "$SIZE" "$work/in.jpg"
w=${SIZE%x*} h=${SIZE#*x}
side=$((w < h ? w : h))
# The smallest JPEG scale that still gives 512 px across the crop.
hint_w=$(((512 * w + side - 1) / side)) hint_h=$(((512 * h + side - 1) / side))

run_go() { "$work/photobench" -out "$work/go" "$work/in.jpg"; }
run_im() {
	"$IM" -define "jpeg:size=${hint_w}x${hint_h}" "$work/in.jpg" -auto-orient -strip \
		-resize '512x512^' -gravity center -extent 512x512 -quality 88 \
		-write "$work/im/512.jpg" -resize 256x256 -write "$work/im/256.jpg" \
		-resize 128x128 -write "$work/im/128.jpg" -resize 64x64 "$work/im/64.jpg"
}
run_vips512() { "$VIPS" "$work/in.jpg" --size 512x512 --smartcrop centre -o "$work/vips/512.jpg[Q=88,strip]"; }
run_vips() {
	run_vips512
	local s
	for s in 256 128 64; do
		"$VIPS" "$work/vips/512.jpg" --size "${s}x$s" -o "$work/vips/$s.jpg[Q=88,strip]"
	done
}

declare -A label=(
	[go]="photo (Go + libjpeg-turbo), 4 sizes"
	[im]="ImageMagick convert -define jpeg:size, 4 sizes"
	[vips512]="vipsthumbnail, 512 only"
	[vips]="vipsthumbnail, 4 sizes (4 runs)"
)

# One timed run: appends "wall_ms cpu_ms" to $work/$1.times.
timed() {
	local t
	t=$(TIMEFORMAT='%R %U %S'; { time "run_$1" >/dev/null 2>&1; } 2>&1)
	awk '{ printf "%.1f %.1f\n", $1 * 1000, ($2 + $3) * 1000 }' <<<"$t" >>"$work/$1.times"
}

for t in "${tools[@]}"; do "run_$t" >/dev/null; done # warm caches
for ((i = 0; i < RUNS; i++)); do
	for t in "${tools[@]}"; do timed "$t"; done
done

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
go_wall=$(cut -d' ' -f1 "$work/go.times" | median)

echo "input: $SIZE JPEG, $(($(stat -c %s "$work/in.jpg") / 1024)) KB; $RUNS rounds; load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-48s %10s %10s %14s\n' tool "wall ms" "cpu ms" "wall vs photo"
for t in "${tools[@]}"; do
	wall=$(cut -d' ' -f1 "$work/$t.times" | median)
	cpu=$(cut -d' ' -f2 "$work/$t.times" | median)
	printf '%-48s %10.1f %10.1f %13.2fx\n' "${label[$t]}" "$wall" "$cpu" "$(awk -v a="$wall" -v b="$go_wall" 'BEGIN { print a / b }')"
done
echo "in-process (photobench -n 10): $("$work/photobench" -n 10 "$work/in.jpg")"

# Same crop from all three: PSNR of each 512 against photo's (higher is closer; ~30 dB+ is the same picture).
for t in im vips; do
	if [ ! -f "$work/$t/512.jpg" ] || [ ! -x /usr/bin/compare ]; then continue; fi
	printf 'PSNR %s 512 vs photo 512: %s dB\n' "$t" "$(/usr/bin/compare -metric PSNR "$work/$t/512.jpg" "$work/go/512x512.jpg" null: 2>&1 || true)"
done
