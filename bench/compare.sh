#!/usr/bin/env bash
# Times the same work through ormscope, through the sqlite3 shell running the very SQL ormscope
# shows, and through SQLAlchemy 2.x's ORM, in one run, and prints the ratios (issue 15's targets
# beside them) as Markdown, with the machine it ran on:
#   (a) start-up to the first result: students[13] / SELECT ... WHERE id = 13 / session.get,
#       on a School file;
#   (b) a mixed script of STATEMENTS (3,000) statements (bench/workload.py: key lookups,
#       relationship loads, filters, aggregates, appends), each tool in one process on a School
#       in memory, seed included: ormscope builds its School, the sqlite3 shell replays the
#       School's .dump and then the SQL ormscope showed for the script, SQLAlchemy replays the
#       same .dump and runs the script through its ORM;
#   (c) a loop of LOOP_STUDENTS (20,000) iterations, `for s in students: s.classes.count()`, on a
#       School file of that size, against the sqlite3 shell running the same 20,001 statements;
#   (d) seeding a School file of SEED_STUDENTS (100,000) students, against the sqlite3 shell
#       replaying that file's .dump into a new file.
#
#   bench/compare.sh
#
# Environment: STATEMENTS (3000), LOOP_STUDENTS (20000), SEED_STUDENTS (100000), STARTUP_RUNS
# (20), RUNS (7, for b and c), SEED_RUNS (3), ORMSCOPE (a built binary; else it is built with cargo).
# Installs what is missing on a Debian machine: sqlite3 (apt-get) and SQLAlchemy 2 (pip, or a venv
# under target/ where pip may not install into the system's Python). Uses hyperfine when present.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
STATEMENTS=${STATEMENTS:-3000}
LOOP_STUDENTS=${LOOP_STUDENTS:-20000}
SEED_STUDENTS=${SEED_STUDENTS:-100000}
STARTUP_RUNS=${STARTUP_RUNS:-20}
RUNS=${RUNS:-7}
SEED_RUNS=${SEED_RUNS:-3}

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

# ---- the databases and the scripts ---------------------------------------------------------
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
NOTHING="true"

# The School as a file (for start-up) and as SQL (the seed the other two replay in memory).
SCHOOL="$WORK/school.db"
"$BIN" --db "$SCHOOL" -e 'students.count()' >/dev/null
sqlite3 "$SCHOOL" .dump >"$WORK/seed.sql"
STUDENTS=$(sqlite3 "$SCHOOL" 'SELECT max(id) FROM students')
TEACHERS=$(sqlite3 "$SCHOOL" 'SELECT max(id) FROM teachers')
CLASSES=$(sqlite3 "$SCHOOL" 'SELECT count(*) FROM classes')

# The mixed script, and the SQL ormscope shows for it (every statement must succeed).
"$PY" "$HERE/workload.py" "$STUDENTS" "$TEACHERS" "$STATEMENTS" "$WORK"
APPENDS=$(grep -c '\.append(' "$WORK/workload.orm" || true)
# shown_sql JSON_LINES: the SQL each answer showed, as a script for the sqlite3 shell.
shown_sql() {
    "$PY" -c '
import json, sys
print("PRAGMA foreign_keys = ON;")
for line in open(sys.argv[1]):
    answer = json.loads(line)
    if not answer["ok"]:
        sys.exit("ormscope failed a statement of the script: " + answer["input"])
    for sql in answer["sql"]:
        print(sql["display"] + ";")
' "$1"
}
"$BIN" --json <"$WORK/workload.orm" >"$WORK/workload.jsonl"
{ cat "$WORK/seed.sql"; shown_sql "$WORK/workload.jsonl"; } >"$WORK/mixed.sql"
say "School: $STUDENTS students, $TEACHERS teachers, $CLASSES classes; script: $STATEMENTS statements ($APPENDS appends), $(grep -c ';$' "$WORK/mixed.sql") SQL statements with the seed"

# The loop, on a School file of LOOP_STUDENTS students, and its 20,001 statements.
LOOP_DB="$WORK/loop.db"
LOOP="for s in students: s.classes.count()"
"$BIN" --db "$LOOP_DB" --scale "$LOOP_STUDENTS" -e 'students.count()' >/dev/null
"$BIN" --db "$LOOP_DB" --json -e "$LOOP" >"$WORK/loop.jsonl"
shown_sql "$WORK/loop.jsonl" >"$WORK/loop.sql"
LOOP_SQL=$(( $(wc -l <"$WORK/loop.sql") - 1 ))
[ "$LOOP_SQL" = $(( LOOP_STUDENTS + 1 )) ] || { say "the loop sent $LOOP_SQL statements, not $(( LOOP_STUDENTS + 1 ))"; exit 1; }

# Seeding: a file of SEED_STUDENTS students, and its .dump for the sqlite3 shell to replay.
SEED_DB="$WORK/seeded.db"
REPLAY_DB="$WORK/replayed.db"
"$BIN" --db "$SEED_DB" --scale "$SEED_STUDENTS" -e 'students.count()' >/dev/null
sqlite3 "$SEED_DB" .dump >"$WORK/seeded.sql"
printf '%s\n' "rm -f '$SEED_DB' '$SEED_DB-journal' '$REPLAY_DB' '$REPLAY_DB-journal'" >"$WORK/clean.sh"
CLEAN="bash '$WORK/clean.sh'"

# ---- timing ---------------------------------------------------------------------------------
declare -A T
run() { # run NAME RUNS PREPARE COMMAND
    say "$1"
    T[$1]=$(time_ms "$2" "${5:-1}" "$3" "$4")
}
run "start sqlite3" "$STARTUP_RUNS" "$NOTHING" "sqlite3 '$SCHOOL' 'SELECT * FROM students WHERE id = 13' >/dev/null" 3
run "start ormscope" "$STARTUP_RUNS" "$NOTHING" "'$BIN' --db '$SCHOOL' --json -e 'students[13]' >/dev/null" 3
run "start SQLAlchemy" "$STARTUP_RUNS" "$NOTHING" "'$PY' '$HERE/sqlalchemy_run.py' first '$SCHOOL' >/dev/null" 3
run "mixed sqlite3" "$RUNS" "$NOTHING" "sqlite3 -bail < '$WORK/mixed.sql' >/dev/null"
run "mixed ormscope --json" "$RUNS" "$NOTHING" "'$BIN' --json < '$WORK/workload.orm' >/dev/null"
run "mixed ormscope (view)" "$RUNS" "$NOTHING" "'$BIN' --no-color --width 120 < '$WORK/workload.orm' >/dev/null"
run "mixed SQLAlchemy" 3 "$NOTHING" "'$PY' '$HERE/sqlalchemy_run.py' memory '$WORK/seed.sql' '$WORK/workload.json' >/dev/null"
run "loop sqlite3" "$RUNS" "$NOTHING" "sqlite3 -bail '$LOOP_DB' < '$WORK/loop.sql' >/dev/null"
run "loop ormscope --json" "$RUNS" "$NOTHING" "'$BIN' --db '$LOOP_DB' --json -e '$LOOP' >/dev/null"
run "seed sqlite3 (.dump replay)" "$SEED_RUNS" "$CLEAN" "sqlite3 '$REPLAY_DB' < '$WORK/seeded.sql' >/dev/null"
run "seed ormscope" "$SEED_RUNS" "$CLEAN" "'$BIN' --db '$SEED_DB' --scale '$SEED_STUDENTS' -e 'students.count()' >/dev/null"

# ---- the report ----------------------------------------------------------------------------
cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
bundled=$("$BIN" --json -e ':sql SELECT sqlite_version()' | "$PY" -c 'import json, sys; r = json.loads(sys.stdin.readline())["result"]; print(r["rows"][0][0] if "rows" in r else r.get("value", "?"))' 2>/dev/null || echo "?")
echo
echo "Measured $(date -u +%Y-%m-%d) by bench/compare.sh on: $(uname -m), $(nproc) cores, ${cpu:-unknown CPU}, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo); $(uname -sr)"
echo "Versions: $("$BIN" --version) (SQLite $bundled), sqlite3 shell $(sqlite3 --version | cut -d' ' -f1), Python $("$PY" -c 'import platform, sqlite3; print(platform.python_version(), "(SQLite", sqlite3.sqlite_version + ")")'), SQLAlchemy $("$PY" -c 'import sqlalchemy; print(sqlalchemy.__version__)')"
echo "Timing: ${HYPERFINE:+hyperfine, }median wall time of $STARTUP_RUNS start-ups, $RUNS runs of the script and of the loop, $SEED_RUNS seedings."
echo
for name in "${!T[@]}"; do echo "$name|${T[$name]}"; done | "$PY" -c '
import sys
t = dict(line.rstrip("\n").split("|") for line in sys.stdin if line.strip())
t = {k: float(v) for k, v in t.items()}
n, loop, seed = sys.argv[1], sys.argv[2], sys.argv[3]
rows = [
    ("start-up to the first result (a School file)", "ormscope / sqlite3", t["start ormscope"] / t["start sqlite3"], "<= 2", lambda r: r <= 2),
    (f"mixed script of {n} statements, in memory, seed included", "ormscope --json / sqlite3", t["mixed ormscope --json"] / t["mixed sqlite3"], "<= 1.5", lambda r: r <= 1.5),
    (f"the same script", "ormscope (view) / sqlite3", t["mixed ormscope (view)"] / t["mixed sqlite3"], "", None),
    (f"the same script", "SQLAlchemy ORM / ormscope --json", t["mixed SQLAlchemy"] / t["mixed ormscope --json"], ">= 40", lambda r: r >= 40),
    (f"loop of {loop} iterations (20,001 statements)", "ormscope --json / sqlite3", t["loop ormscope --json"] / t["loop sqlite3"], "<= 1.2", lambda r: r <= 1.2),
    (f"seeding {seed} students into a file", "ormscope / sqlite3 replaying its .dump", t["seed ormscope"] / t["seed sqlite3 (.dump replay)"], "<= 0.25", lambda r: r <= 0.25),
]
print("| measured | ratio | value | target | met |")
print("|---|---|---:|---:|---|")
for what, ratio, value, target, ok in rows:
    met = "" if ok is None else ("yes" if ok(value) else "**no**")
    print(f"| {what} | {ratio} | {value:.2f}x | {target} | {met} |")
print()
print("Wall times (ms): " + ", ".join(f"{k} {v:.1f}" for k, v in sorted(t.items())))
' "$STATEMENTS" "$LOOP_STUDENTS" "$SEED_STUDENTS"
