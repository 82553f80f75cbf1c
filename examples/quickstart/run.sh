#!/usr/bin/env bash
# Quick start: two folders, a plan you read, then apply; then an edit on each side and a sync.
# Works on copies under examples/quickstart/work/, so it can run again and again.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
syncengine() { node "$here/../../bin/syncengine.js" "$@"; }
step() { printf '\n$ %s\n' "$*"; }

work="$here/work"
rm -rf "$work"
mkdir -p "$work"
cp -R "$here/laptop" "$here/nas" "$work/"
cd "$work"

step 'syncengine plan laptop nas --state state.json --out plan.json'
syncengine plan laptop nas --state state.json --out plan.json

step 'syncengine apply plan.json'
syncengine apply plan.json

echo 'Book the dentist' >> laptop/notes/todo.md
echo 'The guest Wi-Fi is "visitors".' >> nas/house.txt
step 'echo ... >> laptop/notes/todo.md; echo ... >> nas/house.txt; syncengine sync laptop nas --state state.json'
syncengine sync laptop nas --state state.json

step 'syncengine plan laptop nas --state state.json --detailed-exitcode'
code=0
syncengine plan laptop nas --state state.json --detailed-exitcode || code=$?
echo "exit code $code: the folders are in sync"
[ "$code" -eq 0 ]
