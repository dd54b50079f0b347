#!/usr/bin/env bash
# msi.sh VERSION BINDIR OUT.msi builds the per-machine MSI from phoneset.wxs
# (BINDIR holds phoneset.exe) with wixl, then adds with msibuild what wixl
# 0.101 cannot express, as WiX itself would have written it:
#  - Feature conditions: the ServerURL and StartAtLogin features install only
#    when their property is set (wixl has no Condition table);
#  - RemoveExistingProducts right after InstallValidate (WiX's default; wixl
#    ignores MajorUpgrade/@Schedule and puts it after InstallFinalize), so an
#    upgrade removes the old version before it writes the new one;
#  - SERVER_URL and START_AT_LOGIN as secure properties, so an elevated
#    install receives them from the UI.
# With a code-signing certificate, osslsigncode signs phoneset.exe before it
# goes in and the MSI last (Authenticode, SHA-256):
#   PHONESET_SIGN_PFX        the certificate and its key, PKCS#12
#   PHONESET_SIGN_PASS       its password (read from a pipe, never an argument)
#   PHONESET_SIGN_TIMESTAMP  an RFC 3161 time-stamp server: signatures then
#                            stay valid after the certificate expires
# Without PHONESET_SIGN_PFX the MSI is built unsigned, and says so.
set -euo pipefail
version=$1 bindir=$2 out=$(realpath -m "$3")
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# sign IN OUT: IN signed into OUT.
sign() {
  local ts=()
  [ -n "${PHONESET_SIGN_TIMESTAMP:-}" ] && ts=(-ts "$PHONESET_SIGN_TIMESTAMP")
  osslsigncode sign -pkcs12 "$PHONESET_SIGN_PFX" -readpass <(printf %s "${PHONESET_SIGN_PASS:-}") \
    -n Phoneset -i https://phoneset.io -h sha256 "${ts[@]}" -in "$1" -out "$2" >/dev/null
}

# wixl finds sources only by relative paths: it runs in $work.
if [ -n "${PHONESET_SIGN_PFX:-}" ]; then
  sign "$bindir/phoneset.exe" "$work/phoneset.exe"
else
  ln -s "$(realpath "$bindir/phoneset.exe")" "$work/phoneset.exe"
fi
convert "$top/assets/icon.png" -define icon:auto-resize=256,64,48,32,16 "$work/phoneset.ico"
(cd "$work" && wixl --arch x64 -D Version="$version" -o "$out" "$here/phoneset.wxs")
q() { printf -- '-q\n%s\n' "$1"; }
mapfile -t queries < <(
  q 'CREATE TABLE `Condition` (`Feature_` CHAR(38) NOT NULL, `Level` SHORT NOT NULL, `Condition` CHAR(255) PRIMARY KEY `Feature_`, `Level`)'
  q "INSERT INTO \`Condition\` (\`Feature_\`, \`Level\`, \`Condition\`) VALUES ('ServerURL', 0, 'NOT SERVER_URL')"
  q "INSERT INTO \`Condition\` (\`Feature_\`, \`Level\`, \`Condition\`) VALUES ('StartAtLogin', 0, 'START_AT_LOGIN <> \"1\"')"
  q "UPDATE \`InstallExecuteSequence\` SET \`Sequence\` = 1401 WHERE \`Action\` = 'RemoveExistingProducts'"
  q "UPDATE \`Property\` SET \`Value\` = 'WIX_DOWNGRADE_DETECTED;WIX_UPGRADE_DETECTED;SERVER_URL;START_AT_LOGIN' WHERE \`Property\` = 'SecureCustomProperties'"
)
msibuild "$out" "${queries[@]}"
if [ -n "${PHONESET_SIGN_PFX:-}" ]; then
  # Signed last: any later change to the MSI would break the signature.
  if ! sign "$out" "$work/signed.msi"; then
    rm -f "$out"
    exit 1
  fi
  mv "$work/signed.msi" "$out"
  echo "msi.sh: $out and its phoneset.exe are signed with $PHONESET_SIGN_PFX" >&2
else
  echo "msi.sh: $out is UNSIGNED (no PHONESET_SIGN_PFX): Windows SmartScreen will warn whoever runs it" >&2
fi
