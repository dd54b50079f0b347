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
set -euo pipefail
version=$1 bindir=$2 out=$(realpath -m "$3")
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# wixl finds sources only by relative paths: it runs in $work.
ln -s "$(realpath "$bindir/phoneset.exe")" "$work/phoneset.exe"
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
