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
# (20), RUNS (21, for b and c), SA_RUNS (9), SEED_RUNS (5), ORMSCOPE (a built binary; else it is
# built with cargo).
# Installs what is missing on a Debian machine: sqlite3 (apt-get) and SQLAlchemy 2 (pip, or a venv
# under target/ where pip may not install into the system's Python).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
STATEMENTS=${STATEMENTS:-3000}
LOOP_STUDENTS=${LOOP_STUDENTS:-20000}
SEED_STUDENTS=${SEED_STUDENTS:-100000}
STARTUP_RUNS=${STARTUP_RUNS:-20}
RUNS=${RUNS:-21}
SA_RUNS=${SA_RUNS:-9}
SEED_RUNS=${SEED_RUNS:-5}

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

# ---- the databases and the scripts ---------------------------------------------------------
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

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

# ---- timing ---------------------------------------------------------------------------------
# Each section's commands run in turn, round after round (bench/timing.py), so drift in the
# machine's speed falls on all of them alike; the report compares medians.
section() { # section NAME RUNS SPEC_JSON: times one section's commands into $WORK/NAME.json
    say "$1 ($2 rounds)"
    printf '%s' "$3" >"$WORK/$1.spec.json"
    "$PY" "$HERE/timing.py" "$2" "$WORK/$1.spec.json" "$WORK/$1.json"
}
j() { "$PY" -c 'import json, sys; print(json.dumps(sys.argv[1:]))' "$@"; }
section start "$STARTUP_RUNS" "[
 {\"name\": \"start sqlite3\", \"argv\": $(j sqlite3 "$SCHOOL" 'SELECT * FROM students WHERE id = 13')},
 {\"name\": \"start ormscope\", \"argv\": $(j "$BIN" --db "$SCHOOL" --json -e 'students[13]')},
 {\"name\": \"start SQLAlchemy\", \"argv\": $(j "$PY" "$HERE/sqlalchemy_run.py" first "$SCHOOL")}]"
section mixed "$RUNS" "[
 {\"name\": \"mixed sqlite3\", \"argv\": $(j sqlite3 -bail), \"stdin\": \"$WORK/mixed.sql\"},
 {\"name\": \"mixed ormscope --json\", \"argv\": $(j "$BIN" --json), \"stdin\": \"$WORK/workload.orm\"},
 {\"name\": \"mixed ormscope (view)\", \"argv\": $(j "$BIN" --no-color --width 120), \"stdin\": \"$WORK/workload.orm\"}]"
section sqlalchemy "$SA_RUNS" "[
 {\"name\": \"mixed ormscope --json, beside SQLAlchemy\", \"argv\": $(j "$BIN" --json), \"stdin\": \"$WORK/workload.orm\"},
 {\"name\": \"mixed SQLAlchemy\", \"argv\": $(j "$PY" "$HERE/sqlalchemy_run.py" memory "$WORK/seed.sql" "$WORK/workload.json")}]"
section loop "$RUNS" "[
 {\"name\": \"loop sqlite3\", \"argv\": $(j sqlite3 -bail "$LOOP_DB"), \"stdin\": \"$WORK/loop.sql\"},
 {\"name\": \"loop ormscope --json\", \"argv\": $(j "$BIN" --db "$LOOP_DB" --json -e "$LOOP")}]"
section seed "$SEED_RUNS" "[
 {\"name\": \"seed sqlite3 (.dump replay)\", \"argv\": $(j sqlite3 "$REPLAY_DB"), \"stdin\": \"$WORK/seeded.sql\", \"prepare\": $(j bash "$WORK/clean.sh")},
 {\"name\": \"seed ormscope\", \"argv\": $(j "$BIN" --db "$SEED_DB" --scale "$SEED_STUDENTS" -e 'students.count()'), \"prepare\": $(j bash "$WORK/clean.sh")}]"

# ---- the report ----------------------------------------------------------------------------
cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
bundled=$("$BIN" --json -e ':sql SELECT sqlite_version()' | "$PY" -c 'import json, sys; r = json.loads(sys.stdin.readline())["result"]; print(r["rows"][0][0] if "rows" in r else r.get("value", "?"))' 2>/dev/null || echo "?")
echo
echo "Measured $(date -u +%Y-%m-%d) by bench/compare.sh on: $(uname -m), $(nproc) cores, ${cpu:-unknown CPU}, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo); $(uname -sr)"
echo "Versions: $("$BIN" --version) (SQLite $bundled), sqlite3 shell $(sqlite3 --version | cut -d' ' -f1), Python $("$PY" -c 'import platform, sqlite3; print(platform.python_version(), "(SQLite", sqlite3.sqlite_version + ")")'), SQLAlchemy $("$PY" -c 'import sqlalchemy; print(sqlalchemy.__version__)')"
echo "Timing: median wall time of $STARTUP_RUNS start-ups, $RUNS runs of the script and of the loop ($SA_RUNS beside SQLAlchemy), $SEED_RUNS seedings; the commands of each row ran in turn, round after round."
echo
"$PY" -c '
import json, statistics, sys
work = sys.argv[4]
runs = {}
for section in ("start", "mixed", "sqlalchemy", "loop", "seed"):
    runs.update(json.load(open(f"{work}/{section}.json")))
t = {k: statistics.median(v) for k, v in runs.items()}

n, loop, seed = sys.argv[1], sys.argv[2], sys.argv[3]
rows = [
    ("start-up to the first result (a School file)", "ormscope / sqlite3", t["start ormscope"] / t["start sqlite3"], "<= 2", lambda r: r <= 2),
    (f"mixed script of {n} statements, in memory, seed included", "ormscope --json / sqlite3", t["mixed ormscope --json"] / t["mixed sqlite3"], "<= 1.5", lambda r: r <= 1.5),
    (f"the same script", "ormscope (view) / sqlite3", t["mixed ormscope (view)"] / t["mixed sqlite3"], "", None),
    (f"the same script", "SQLAlchemy ORM / ormscope --json", t["mixed SQLAlchemy"] / t["mixed ormscope --json, beside SQLAlchemy"], ">= 40", lambda r: r >= 40),
    (f"loop of {loop} iterations ({int(loop) + 1:,} statements)", "ormscope --json / sqlite3", t["loop ormscope --json"] / t["loop sqlite3"], "<= 1.2", lambda r: r <= 1.2),
    (f"seeding {seed} students into a file", "ormscope / sqlite3 replaying its .dump", t["seed ormscope"] / t["seed sqlite3 (.dump replay)"], "<= 0.25", lambda r: r <= 0.25),
]
print("| measured | ratio | value | target | met |")
print("|---|---|---:|---:|---|")
for what, ratio, value, target, ok in rows:
    met = "" if ok is None else ("yes" if ok(value) else "**no**")
    print(f"| {what} | {ratio} | {value:.2f}x | {target} | {met} |")
print()
print("Wall times in ms, median (fastest): " + "; ".join(f"{k} {t[k]:.1f} ({min(v):.1f})" for k, v in sorted(runs.items())))
' "$STATEMENTS" "$LOOP_STUDENTS" "$SEED_STUDENTS" "$WORK"
