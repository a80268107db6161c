#!/usr/bin/env bash
# Times the same work through ormscope, through the sqlite3 shell with the equivalent SQL, and
# through SQLAlchemy 2.x's ORM, all on copies of one School database file, and prints a Markdown
# table with the machine it ran on:
#   (a) start-up to the first result: students[13] / SELECT ... WHERE id = 13 / session.get
#   (b) STATEMENTS (10,000) mixed statements: key lookups, relationship loads, filters,
#       aggregates and appends, generated deterministically (bench/workload.py), one process each.
#
#   bench/compare.sh
#
# Environment: STATEMENTS (10000), SCALE (students in the database; the default School when unset),
# STARTUP_RUNS (20), WORKLOAD_RUNS (5), ORMSCOPE (a built binary; else it is built with cargo).
# Installs what is missing on a Debian machine: sqlite3 (apt-get) and SQLAlchemy 2 (pip, or a venv
# under target/ where pip may not install into the system's Python). Uses hyperfine when present.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
STATEMENTS=${STATEMENTS:-10000}
STARTUP_RUNS=${STARTUP_RUNS:-20}
WORKLOAD_RUNS=${WORKLOAD_RUNS:-5}

say() { echo "compare: $*" >&2; }

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"
    elif command -v sudo >/dev/null 2>&1; then sudo "$@"
    else say "needs root to run: $*"; exit 1
    fi
}

APT_UPDATED=
apt_install() {
    command -v apt-get >/dev/null 2>&1 || { say "cannot install $* (no apt-get): install it and run again"; exit 1; }
    if [ -z "$APT_UPDATED" ]; then as_root apt-get update -qq >&2; APT_UPDATED=1; fi
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2
}

# ---- what it needs -------------------------------------------------------------------------
command -v sqlite3 >/dev/null 2>&1 || { say "installing sqlite3"; apt_install sqlite3; }
command -v python3 >/dev/null 2>&1 || { say "installing python3"; apt_install python3 python3-pip python3-venv; }

has_sqlalchemy2() {
    "$1" -c 'import sqlalchemy, sys; sys.exit(0 if sqlalchemy.__version__.split(".")[0] == "2" else 1)' 2>/dev/null
}
PY=python3
if ! has_sqlalchemy2 "$PY"; then
    say "installing SQLAlchemy 2"
    python3 -m pip --version >/dev/null 2>&1 || apt_install python3-pip
    if ! python3 -m pip install --quiet 'sqlalchemy>=2,<3' >&2 2>/dev/null || ! has_sqlalchemy2 python3; then
        # A system Python that refuses pip installs (PEP 668): a venv of the project's own.
        VENV="$ROOT/target/compare-venv"
        python3 -m venv "$VENV" >/dev/null 2>&1 || { apt_install python3-venv; python3 -m venv "$VENV"; }
        "$VENV/bin/python" -m pip install --quiet 'sqlalchemy>=2,<3' >&2
        PY="$VENV/bin/python"
    fi
fi

if [ -n "${ORMSCOPE:-}" ]; then
    BIN=$ORMSCOPE
else
    command -v cargo >/dev/null 2>&1 || { say "installing cargo"; apt_install cargo; }
    say "building ormscope (release)"
    (cd "$ROOT" && cargo build --release --quiet)
    BIN="$ROOT/target/release/ormscope"
fi

HYPERFINE=
command -v hyperfine >/dev/null 2>&1 && HYPERFINE=$(command -v hyperfine)

# ---- timing --------------------------------------------------------------------------------
now_us() {
    if [ -n "${EPOCHREALTIME:-}" ]; then local t=${EPOCHREALTIME/[.,]/}; echo "${t#0}"
    else echo $(( $(date +%s%N) / 1000 ))
    fi
}

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# time_ms RUNS WARMUP PREPARE COMMAND: the median wall time of COMMAND in ms (PREPARE runs
# untimed before each run). A failing command stops the script. hyperfine runs a command that
# only sends its output to /dev/null without a shell (-N: a shell's start-up, milliseconds, would
# swamp a start-up of milliseconds), and a command that reads a file through a shell.
time_ms() {
    local runs=$1 warmup=$2 prepare=$3 command=$4
    if [ -n "$HYPERFINE" ]; then
        local json="$WORK/hyperfine.json" shell=()
        case $command in
            *"<"*) ;;
            *" >/dev/null") command=${command% >/dev/null}; shell=(-N) ;;
        esac
        "$HYPERFINE" --style none "${shell[@]}" --warmup "$warmup" --runs "$runs" --prepare "$prepare" \
            --export-json "$json" -- "$command" >&2
        "$PY" -c 'import json, sys; print("%.3f" % (json.load(open(sys.argv[1]))["results"][0]["median"] * 1e3))' "$json"
        return
    fi
    local i start end
    for ((i = 0; i < warmup; i++)); do eval "$prepare"; eval "$command"; done
    for ((i = 0; i < runs; i++)); do
        eval "$prepare"
        start=$(now_us)
        eval "$command"
        end=$(now_us)
        echo $(( end - start ))
    done | median | awk '{ printf "%.3f\n", $1 / 1000 }'
}

# ---- the database and the workload ---------------------------------------------------------
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
BASE="$WORK/base.db"
DB="$WORK/run.db"
if [ -n "${SCALE:-}" ]; then
    "$BIN" --db "$BASE" --scale "$SCALE" -e 'students.count()' >/dev/null
else
    "$BIN" --db "$BASE" -e 'students.count()' >/dev/null
fi
STUDENTS=$(sqlite3 "$BASE" 'SELECT max(id) FROM students')
TEACHERS=$(sqlite3 "$BASE" 'SELECT max(id) FROM teachers')
CLASSES=$(sqlite3 "$BASE" 'SELECT count(*) FROM classes')
"$PY" "$HERE/workload.py" "$STUDENTS" "$TEACHERS" "$STATEMENTS" "$WORK"
APPENDS=$(grep -c '\.append(' "$WORK/workload.orm" || true)
# The same statements without the appends: what the engines cost when no commit waits for the disk.
grep -v '\.append(' "$WORK/workload.orm" >"$WORK/reads.orm"
grep -v '^INSERT' "$WORK/workload.sql" >"$WORK/reads.sql"
"$PY" -c 'import json, sys; json.dump([o for o in json.load(open(sys.argv[1])) if o[0] != "append"], open(sys.argv[2], "w"))' \
    "$WORK/workload.json" "$WORK/reads.json"
READ_COUNT=$(wc -l <"$WORK/reads.orm")
# A fresh copy of the database before every timed run (a script: hyperfine -N runs it without a shell).
printf '%s\n' "rm -f '$DB' '$DB-journal' '$DB-wal' '$DB-shm'" "cp '$BASE' '$DB'" >"$WORK/fresh.sh"
FRESH="bash '$WORK/fresh.sh'"
say "database: $STUDENTS students, $TEACHERS teachers, $CLASSES classes; workload: $STATEMENTS statements ($APPENDS appends)"

# Each workload run must have done every append, and failed no statement.
check() {
    local tool=$1 appended=$2 got
    got=$(sqlite3 "$DB" 'SELECT count(*) FROM classes')
    if [ "$got" != $(( CLASSES + appended )) ]; then
        say "$tool: expected $(( CLASSES + appended )) classes after the workload, found $got"; exit 1
    fi
}

declare -A START WORKLOAD
TOOLS=("sqlite3" "ormscope --json" "ormscope (view)" "SQLAlchemy ORM")
CMD_START=(
    "sqlite3 '$DB' 'SELECT * FROM students WHERE id = 13' >/dev/null"
    "'$BIN' --db '$DB' --json -e 'students[13]' >/dev/null"
    "'$BIN' --db '$DB' -e 'students[13]' >/dev/null"
    "'$PY' '$HERE/sqlalchemy_run.py' first '$DB' >/dev/null"
)
CMD_WORK=(
    "sqlite3 -bail '$DB' < '$WORK/@W@.sql' >/dev/null"
    "'$BIN' --db '$DB' --json < '$WORK/@W@.orm' >/dev/null"
    "'$BIN' --db '$DB' < '$WORK/@W@.orm' >/dev/null"
    "'$PY' '$HERE/sqlalchemy_run.py' workload '$DB' '$WORK/@W@.json' >/dev/null"
)

declare -A READS
eval "$FRESH"
for i in "${!TOOLS[@]}"; do
    tool=${TOOLS[$i]}
    say "start-up: $tool"
    START[$tool]=$(time_ms "$STARTUP_RUNS" 3 "$FRESH" "${CMD_START[$i]}")
    say "$STATEMENTS statements: $tool"
    WORKLOAD[$tool]=$(time_ms "$WORKLOAD_RUNS" 0 "$FRESH" "${CMD_WORK[$i]//@W@/workload}")
    check "$tool" "$APPENDS"
    say "$READ_COUNT reads: $tool"
    READS[$tool]=$(time_ms "$WORKLOAD_RUNS" 0 "$FRESH" "${CMD_WORK[$i]//@W@/reads}")
    check "$tool" 0
done

# ---- the report ----------------------------------------------------------------------------
cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
bundled=$("$BIN" --json -e ':sql SELECT sqlite_version()' | "$PY" -c 'import json, sys; r = json.loads(sys.stdin.readline())["result"]; print(r["rows"][0][0] if "rows" in r else r.get("value", "?"))' 2>/dev/null || echo "?")
echo
echo "Machine: $(uname -m), $(nproc) cores, ${cpu:-unknown CPU}, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo); $(uname -sr)"
echo "Versions: $("$BIN" --version) (SQLite $bundled), sqlite3 shell $(sqlite3 --version | cut -d' ' -f1), Python $("$PY" -c 'import platform, sqlite3; print(platform.python_version(), "(SQLite", sqlite3.sqlite_version + ")")'), SQLAlchemy $("$PY" -c 'import sqlalchemy; print(sqlalchemy.__version__)')"
echo "Database: a file with $STUDENTS students, $CLASSES classes. Workload: $STATEMENTS statements, $APPENDS of them appends (each committed: one fsync each), in one process per run; then the same without the appends ($READ_COUNT reads)."
echo "Timing: ${HYPERFINE:+hyperfine, }median of $STARTUP_RUNS start-ups and of $WORKLOAD_RUNS workload runs, each on a fresh copy of the database."
echo
echo "| tool | start-up ms | $STATEMENTS statements ms | per-statement µs | $READ_COUNT reads ms | per-read µs | start-up vs sqlite3 | per-statement vs sqlite3 | per-read vs sqlite3 |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
for tool in "${TOOLS[@]}"; do
    echo "$tool|${START[$tool]}|${WORKLOAD[$tool]}|${READS[$tool]}"
done | "$PY" -c '
import sys
n, r = int(sys.argv[1]), int(sys.argv[2])
rows = [line.rstrip("\n").split("|") for line in sys.stdin if line.strip()]
start = {t: float(s) for t, s, _, _ in rows}
per = {t: (float(w) - float(s)) * 1000 / n for t, s, w, _ in rows}
read = {t: (float(x) - float(s)) * 1000 / r for t, s, _, x in rows}
b = "sqlite3"
for t, s, w, x in rows:
    print(f"| {t} | {float(s):.1f} | {float(w):.0f} | {per[t]:.1f} | {float(x):.0f} | {read[t]:.1f} "
          f"| {start[t] / start[b]:.2f}x | {per[t] / per[b]:.2f}x | {read[t] / read[b]:.2f}x |")
o, sa = "ormscope --json", "SQLAlchemy ORM"
print()
print("Per-statement and per-read µs are (run time - start-up time) / statements.")
print(f"SQLAlchemy ORM / ormscope --json: start-up {start[sa] / start[o]:.1f}x, per statement {per[sa] / per[o]:.1f}x, per read {read[sa] / read[o]:.1f}x")
print("Targets (issue 7): start-up within 2x of sqlite3; per statement within 1.5x of sqlite3; at least 40x faster than SQLAlchemy.")
' "$STATEMENTS" "$READ_COUNT"
