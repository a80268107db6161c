"""The comparison's SQLAlchemy side: the same work through the ORM on the same database file.

    python3 sqlalchemy_run.py first DB       start-up to the first result: students[13]
    python3 sqlalchemy_run.py workload DB OPS  the operations of workload.json
    python3 sqlalchemy_run.py memory SEED OPS  the same in memory, after running SEED (SQL) there

Each statement ends with a commit, as each ormscope statement is its own transaction (and the
commit expires loaded objects, so every read goes to the database as ormscope's do).
"""
import json
import sys

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import Class, Student, as_row, engine_for, seeded_memory_engine


def first(path: str) -> None:
    with Session(engine_for(path)) as session:
        print(as_row(session.get(Student, 13)))


def workload(engine, ops_path: str) -> None:
    with open(ops_path) as f:
        ops = json.load(f)
    out = []
    with Session(engine) as session:
        for op in ops:
            kind = op[0]
            if kind == "key":
                out.append(as_row(session.get(Student, op[1])))
            elif kind in ("classes", "clubs"):
                student = session.get(Student, op[1])
                out.append([as_row(o) for o in getattr(student, kind)])
            elif kind == "advisor":
                advisor = session.get(Student, op[1]).advisor
                out.append(as_row(advisor) if advisor is not None else None)
            elif kind == "filter_year":
                query = (
                    select(Student)
                    .where(Student.year == op[1], Student.advisor_id.is_not(None))
                    .order_by(Student.name)
                    .limit(10)
                )
                out.append([as_row(s) for s in session.scalars(query)])
            elif kind == "filter_by":
                out.append([as_row(s) for s in session.scalars(select(Student).filter_by(advisor_id=op[1]))])
            elif kind == "count_classes":
                out.append(session.scalar(select(func.count()).select_from(Class).where(Class.student_id == op[1])))
            elif kind == "append":
                new = Class(student_id=op[1], name=op[2], abbreviation=op[3])
                session.add(new)
                session.flush()
                out.append(new.id)
            else:
                raise ValueError(f"unknown operation {kind}")
            session.commit()
            if len(out) >= 1000:
                print("\n".join(map(str, out)))
                out.clear()
    print("\n".join(map(str, out)))


if __name__ == "__main__":
    if sys.argv[1] == "first":
        first(sys.argv[2])
    elif sys.argv[1] == "memory":
        workload(seeded_memory_engine(sys.argv[2]), sys.argv[3])
    else:
        workload(engine_for(sys.argv[2]), sys.argv[3])
