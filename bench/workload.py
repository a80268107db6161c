"""Writes one deterministic mixed workload in three equivalent forms.

    python3 workload.py STUDENTS TEACHERS COUNT OUTDIR

OUTDIR/workload.orm  ormscope statements, one per line
OUTDIR/workload.sql  the same work as plain SQL for the sqlite3 shell
OUTDIR/workload.json the same work as operations for the SQLAlchemy script

The mix, per 20 statements: 6 key lookups, 6 relationship loads (2 each of classes, clubs,
advisor), 4 filters, 2 aggregates and 2 appends. The sequence comes from a fixed seed.
"""
import json
import random
import sys

MIX = ["key"] * 6 + ["classes", "clubs", "advisor"] * 2 + ["filter_year", "filter_by"] * 2 + ["count_classes"] * 2 + ["append"] * 2


def main() -> None:
    students, teachers, count, outdir = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    rng = random.Random(20240607)
    orm, sql, ops = [], ["PRAGMA foreign_keys = ON;"], []
    for n in range(count):
        kind = rng.choice(MIX)
        k = rng.randint(1, students)
        if kind == "key":
            orm.append(f"students[{k}]")
            sql.append(f"SELECT * FROM students WHERE id = {k};")
            ops.append(["key", k])
        elif kind == "classes":
            orm.append(f"students[{k}].classes")
            sql.append(f"SELECT * FROM classes WHERE student_id = {k};")
            ops.append(["classes", k])
        elif kind == "clubs":
            orm.append(f"students[{k}].clubs")
            sql.append(
                "SELECT clubs.* FROM clubs JOIN memberships ON memberships.club_id = clubs.id "
                f"WHERE memberships.student_id = {k};"
            )
            ops.append(["clubs", k])
        elif kind == "advisor":
            orm.append(f"students[{k}].advisor")
            sql.append(
                "SELECT teachers.* FROM teachers JOIN students ON students.advisor_id = teachers.id "
                f"WHERE students.id = {k};"
            )
            ops.append(["advisor", k])
        elif kind == "filter_year":
            year = rng.randint(1, 4)
            orm.append(f"students.where(year == {year} and advisor_id != None).order_by(name).limit(10)")
            sql.append(f"SELECT * FROM students WHERE year = {year} AND advisor_id IS NOT NULL ORDER BY name LIMIT 10;")
            ops.append(["filter_year", year])
        elif kind == "filter_by":
            t = rng.randint(1, teachers)
            orm.append(f"students.filter_by(advisor_id={t})")
            sql.append(f"SELECT * FROM students WHERE advisor_id = {t};")
            ops.append(["filter_by", t])
        elif kind == "count_classes":
            orm.append(f"classes.where(student_id == {k}).count()")
            sql.append(f"SELECT count(*) FROM classes WHERE student_id = {k};")
            ops.append(["count_classes", k])
        else:
            name, abbreviation = f"Bench {n}", f"BN{n:05d}"
            orm.append(f"students[{k}].classes.append({{'name': '{name}', 'abbreviation': '{abbreviation}'}})")
            sql.append(f"INSERT INTO classes (student_id, name, abbreviation) VALUES ({k}, '{name}', '{abbreviation}');")
            ops.append(["append", k, name, abbreviation])
    for suffix, lines in (("orm", orm), ("sql", sql)):
        with open(f"{outdir}/workload.{suffix}", "w") as f:
            f.write("\n".join(lines) + "\n")
    with open(f"{outdir}/workload.json", "w") as f:
        json.dump(ops, f)


if __name__ == "__main__":
    main()
