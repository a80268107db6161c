"""Runs ormscope's SQLAlchemy faces in real SQLAlchemy and compares with ormscope's answer.

Reads a JSON list of jobs on stdin, each {"faces": [code, ...], "answer": <ormscope's last JSON answer>,
"ormscope_db": path, "db": path, "state_only": bool}. With state_only (a loop, whose Python
is a `for` statement with no value) only the databases afterwards are compared. The faces run in order in one Session on `db` (a fresh copy
of the database ormscope started from), as at a Python prompt: the last line's expression is the
value. Prints one line per job: "ok", or "FAIL: why" with what each side gave.
"""
import ast
import json
import math
import sqlite3
import sys

from sqlalchemy import (and_, case, cast, create_engine, delete, event, exists, func, insert, literal,
                        not_, or_, select, text, update, Integer, String)
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session, aliased, joinedload, selectinload
from sqlalchemy.pool import NullPool

import school

SCOPE = {"select": select, "func": func, "and_": and_, "or_": or_, "not_": not_, "delete": delete,
         "update": update, "insert": insert, "text": text, "exists": exists, "literal": literal,
         "case": case, "cast": cast, "Integer": Integer, "String": String, "aliased": aliased,
         "selectinload": selectinload, "joinedload": joinedload, "memberships": school.memberships,
         **{m.__name__: m for m in school.MODELS}}


def program(faces):
    """The faces as one program whose last expression is assigned to `result`."""
    body = []
    for code in faces:
        tree = ast.parse(code)
        if tree.body and isinstance(tree.body[-1], ast.Expr):
            last = tree.body[-1]
            tree.body[-1] = ast.copy_location(
                ast.Assign(targets=[ast.Name("result", ast.Store())], value=last.value), last)
        else:
            tree.body.insert(0, ast.parse("result = None").body[0])
        body.append(ast.unparse(ast.fix_missing_locations(tree)))
    return "\n".join(body)


def norm(v):
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, (list, tuple)):
        return [norm(x) for x in v]
    return v


def same(a, b):
    a, b = norm(a), norm(b)
    if isinstance(a, float) or isinstance(b, float):
        return isinstance(a, (int, float)) and isinstance(b, (int, float)) and math.isclose(a, b, rel_tol=1e-9)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


def materialize(x):
    if x is None:
        return {"kind": "none"}
    if isinstance(x, school.Base):
        return {"kind": "object", "row": school.as_row(x)}
    if isinstance(x, (str, int, float)):
        return {"kind": "value", "value": x}
    rows = [school.as_row(i) if isinstance(i, school.Base) else list(i) if isinstance(i, (Row, tuple, list)) else [i]
            for i in x]
    return {"kind": "rows", "rows": rows}


def run(db, faces):
    engine = create_engine(f"sqlite:///{db}", poolclass=NullPool)
    event.listen(engine, "connect", lambda con, _: con.execute("PRAGMA foreign_keys=ON"))
    try:
        with Session(engine) as session:
            scope = {**SCOPE, "session": session}
            exec(program(faces), scope)
            session.flush()
            result = materialize(scope.get("result"))
            session.commit()
        return result
    finally:
        engine.dispose()


def dump(path):
    con = sqlite3.connect(path)
    try:
        return {t: sorted(json.dumps(norm(list(r))) for r in con.execute(f'SELECT * FROM "{t}"'))
                for t in school.TABLES}
    finally:
        con.close()


def key(row):
    return json.dumps(norm(row), default=str)


def verdict(job):
    answer = job["answer"]
    try:
        got = run(job["db"], job["faces"])
    except Exception as e:  # the spelling must run
        return f"FAIL: SQLAlchemy raised {type(e).__name__}: {str(e).splitlines()[0][:300]}"
    result = answer["result"]
    kind = "write" if job.get("state_only") else result["kind"]
    if kind == "none" and got["kind"] != "none":
        return f"FAIL: SQLAlchemy gave {got['kind']}, not None"
    if kind in ("write", "none"):
        return "ok" if dump(job["ormscope_db"]) == dump(job["db"]) else "FAIL: the databases differ afterwards"
    if kind == "rows":
        if got["kind"] != "rows":
            return f"FAIL: SQLAlchemy gave {got['kind']}, not rows"
        mine, theirs = sorted(map(key, result["rows"])), sorted(map(key, got["rows"]))
        return "ok" if same([json.loads(r) for r in mine], [json.loads(r) for r in theirs]) \
            else f"FAIL: rows differ: {mine[:3]} / {theirs[:3]}"
    if kind == "object":
        return "ok" if got["kind"] == "object" and same(result["row"], got["row"]) \
            else f"FAIL: objects differ: {result['row']} / {got}"
    if kind == "value":
        return "ok" if got["kind"] in ("value", "none") and same(result["value"], got.get("value")) \
            else f"FAIL: values differ: {result['value']} / {got}"
    return f"FAIL: unknown kind {kind}"


if __name__ == "__main__":
    for job in json.load(sys.stdin):
        print(verdict(job).replace("\n", " "))
