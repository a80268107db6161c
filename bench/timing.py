"""Times commands side by side for bench/compare.sh: round after round, each command once per
round in turn, so that a machine whose speed drifts (a shared virtual machine) slows every
command alike instead of whichever happened to run during the slow minute.

    python3 timing.py RUNS SPEC.json OUT.json

SPEC is a list of {"name", "argv", "stdin" (a file or null), "prepare" (argv run untimed
before each run, or null)}. OUT gets, per name, the wall times in milliseconds, sorted.
A command that fails stops the script.
"""
import json
import subprocess
import sys
import time


def run_once(spec: dict) -> float:
    if spec.get("prepare"):
        subprocess.run(spec["prepare"], check=True)
    stdin = open(spec["stdin"], "rb") if spec.get("stdin") else subprocess.DEVNULL
    try:
        start = time.perf_counter()
        done = subprocess.run(spec["argv"], stdin=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        elapsed = time.perf_counter() - start
    finally:
        if stdin is not subprocess.DEVNULL:
            stdin.close()
    if done.returncode != 0:
        sys.exit(f"{spec['name']} failed ({done.returncode}): {done.stderr.decode(errors='replace')[-500:]}")
    return elapsed * 1000


def main() -> None:
    runs, specs = int(sys.argv[1]), json.load(open(sys.argv[2]))
    times = {spec["name"]: [] for spec in specs}
    for spec in specs:  # one untimed warm-up each
        run_once(spec)
    for _ in range(runs):
        for spec in specs:
            times[spec["name"]].append(run_once(spec))
    json.dump({name: sorted(t) for name, t in times.items()}, open(sys.argv[3], "w"))


if __name__ == "__main__":
    main()
