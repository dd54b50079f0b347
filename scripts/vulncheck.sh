#!/usr/bin/env bash
# govulncheck against an offline vulnerability database: this machine cannot
# reach vuln.go.dev, but the module proxy serves golang.org/x/vulndb, whose
# data/osv holds every Go advisory. The database is indexed once per vulndb
# version and kept under ~/.cache. Fails on any reachable finding.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
# Move this forward to check against newer advisories.
vulndb=golang.org/x/vulndb@v0.0.0-20261105234957-e22db6528018
govulncheck=golang.org/x/vuln/cmd/govulncheck@v1.9.0

db="$HOME/.cache/phoneset/vulndb-${vulndb##*@}"
if [ ! -f "$db/index/db.json" ]; then
  src=$(go mod download -json "$vulndb" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
  [ -d "$src/data/osv" ] || { echo "vulncheck: no data/osv in $vulndb" >&2; exit 1; }
  rm -rf "$db.tmp"
  mkdir -p "$(dirname "$db")"
  # indexdb runs outside this module so our go.mod does not constrain it.
  (cd / && GOFLAGS= go run "golang.org/x/vulndb/cmd/indexdb@${vulndb##*@}" -vulns "$src/data/osv" -out "$db.tmp")
  rm -rf "$db"
  mv "$db.tmp" "$db"
fi
go run "$govulncheck" -db "file://$db" ./...
