#!/usr/bin/env bash
# Checks the application as users get it, not as the tests import it from the checkout:
#  1. builds the wheel, installs it (not editable) into a fresh virtual environment and, from a folder
#     outside the checkout, runs demo, cases, findings, export-pdf and export-fhir on a new database;
#  2. with --window, starts that installed application on a real X server (Xvfb, Qt's xcb platform, not
#     offscreen), waits for its main window to be shown, closes it and checks it exits cleanly.
# Used by .ci/run; needs python3 (with venv) and, for --window, Debian's xvfb and xdotool.
set -euo pipefail
checkout="$(cd "$(dirname "$0")/.." && pwd)"
python="${PYTHON:-python3}"
work="$(mktemp -d)"
xvfb_pid=""
app_pid=""
cleanup() {
  [ -n "$app_pid" ] && kill "$app_pid" 2>/dev/null || true
  [ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "== building the wheel"
"$python" -m pip wheel --quiet --no-deps "$checkout" --wheel-dir "$work/wheel"
wheel="$(ls "$work"/wheel/pathway_planner-*.whl)"
listing="$("$python" -m zipfile -l "$wheel")"
for folder in planner/rules planner/fhir db/migrations/versions reports resources/schema resources/demo; do
  grep -q "^$folder/" <<<"$listing" || { echo "the wheel has no $folder/" >&2; exit 1; }
done

echo "== installing it into a fresh virtual environment"
"$python" -m venv "$work/venv"
"$work/venv/bin/python" -m pip install --quiet --upgrade pip
"$work/venv/bin/python" -m pip install --quiet "$wheel"

echo "== running the installed commands from outside the checkout"
mkdir "$work/elsewhere"
cd "$work/elsewhere"
app="$work/venv/bin/pathway-planner"
db="sqlite:///$work/elsewhere/cases.sqlite"
export QT_QPA_PLATFORM=offscreen XDG_DATA_HOME="$work/data" XDG_CONFIG_HOME="$work/config"
case_id="$("$app" --db "$db" demo)"
"$app" --db "$db" cases | grep -q "Mrs Smith"
"$app" --db "$db" findings "$case_id" | grep -q "M0"
"$app" --db "$db" export-pdf "$case_id" --out "$work/elsewhere/summary.pdf" >/dev/null
"$app" --db "$db" export-fhir "$case_id" --out "$work/elsewhere/bundle.json" >/dev/null
"$app" --db "$db" export-value-case "$case_id" --out "$work/elsewhere/value-case.pdf" >/dev/null
"$app" --db "$db" export-tables "$case_id" --out "$work/elsewhere/tables.xlsx" >/dev/null
"$app" --db "$db" costs "$case_id" | grep -q "£"
"$app" --db "$db" fhir-package --out "$work/elsewhere/fhir-package" >/dev/null
test -s "$work/elsewhere/fhir-package/package.json"
"$work/venv/bin/python" -c "from ui.help import guide_text; assert 'Care plan' in guide_text()"
head -c 5 "$work/elsewhere/summary.pdf" | grep -q "%PDF-"
head -c 5 "$work/elsewhere/value-case.pdf" | grep -q "%PDF-"
head -c 2 "$work/elsewhere/tables.xlsx" | grep -q "PK"
"$work/venv/bin/python" -c "import json, sys; b = json.load(open(sys.argv[1])); assert b['resourceType'] == 'Bundle' and b['entry']" "$work/elsewhere/bundle.json"
python_path="$("$work/venv/bin/python" -c 'import planner; print(planner.__file__)')"
case "$python_path" in
  "$checkout"/*) echo "the installed app imported planner from the checkout ($python_path)" >&2; exit 1;;
esac
echo "installed wheel: demo, cases, findings, costs, export-pdf, export-value-case, export-fhir," \
     "export-tables, fhir-package and the user guide all ran (planner from $python_path)"

if [ "${1:-}" = "--window" ]; then
  echo "== starting the installed application on a real X server"
  unset QT_QPA_PLATFORM
  display=":$((90 + RANDOM % 100))"
  Xvfb "$display" -screen 0 1600x1000x24 -nolisten tcp >"$work/xvfb.log" 2>&1 &
  xvfb_pid=$!
  export DISPLAY="$display"
  for _ in $(seq 50); do xdotool getdisplaygeometry >/dev/null 2>&1 && break; sleep 0.2; done
  "$work/venv/bin/python" -m ui.display_check --install
  "$app" --db "$db" >"$work/app.log" 2>&1 &
  app_pid=$!
  if ! window="$(timeout 60 xdotool search --sync --onlyvisible --name "Pathway Planner" | head -n 1)"; then
    echo "the main window was not shown within 60 s; the application said:" >&2
    cat "$work/app.log" >&2
    exit 1
  fi
  echo "main window shown: $(xdotool getwindowname "$window")"
  # File › Quit's shortcut, typed for real (XTEST) into the focused window: the app closes as a user closes it
  xdotool windowfocus --sync "$window" 2>/dev/null || true
  xdotool key --clearmodifiers ctrl+q
  for _ in $(seq 100); do kill -0 "$app_pid" 2>/dev/null || break; sleep 0.2; done
  if kill -0 "$app_pid" 2>/dev/null; then
    echo "the application did not exit after its window was closed" >&2
    exit 1
  fi
  wait "$app_pid" && status=0 || status=$?
  app_pid=""
  if [ "$status" -ne 0 ]; then
    echo "the application exited with status $status:" >&2
    cat "$work/app.log" >&2
    exit 1
  fi
  echo "the window closed and the application exited cleanly"
fi
