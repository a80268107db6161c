"""The School schema (contract section 1) as SQLAlchemy 2.x declarative models, for the comparison.

Adapted from the conformance suite's models: the database file is made by ormscope, these models
only map it, and deletes are left to the database's own ON DELETE rules (passive_deletes).
"""
from typing import Optional

from sqlalchemy import Column, ForeignKey, Integer, Table, Text, create_engine, event
from sqlalchemy.pool import StaticPool
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


memberships = Table(
    "memberships",
    Base.metadata,
    Column("student_id", Integer, ForeignKey("students.id", ondelete="CASCADE"), primary_key=True),
    Column("club_id", Integer, ForeignKey("clubs.id", ondelete="CASCADE"), primary_key=True),
)


class Teacher(Base):
    __tablename__ = "teachers"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    department: Mapped[str] = mapped_column(Text)
    advisees: Mapped[list["Student"]] = relationship(back_populates="advisor", passive_deletes=True)
    classes: Mapped[list["Class"]] = relationship(back_populates="teacher", passive_deletes=True)


class Student(Base):
    __tablename__ = "students"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    email: Mapped[str] = mapped_column(Text, unique=True)
    year: Mapped[int] = mapped_column(Integer)
    advisor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("teachers.id", ondelete="SET NULL"))
    advisor: Mapped[Optional[Teacher]] = relationship(back_populates="advisees")
    classes: Mapped[list["Class"]] = relationship(back_populates="student", cascade="all", passive_deletes=True)
    clubs: Mapped[list["Club"]] = relationship(secondary=memberships, back_populates="members", passive_deletes=True)


class Class(Base):
    __tablename__ = "classes"
    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("students.id", ondelete="CASCADE"))
    teacher_id: Mapped[Optional[int]] = mapped_column(ForeignKey("teachers.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(Text)
    abbreviation: Mapped[str] = mapped_column(Text)
    credits: Mapped[int] = mapped_column(Integer, server_default="3")
    grade: Mapped[Optional[str]] = mapped_column(Text)
    student: Mapped[Student] = relationship(back_populates="classes")
    teacher: Mapped[Optional[Teacher]] = relationship(back_populates="classes")


class Club(Base):
    __tablename__ = "clubs"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(Text, unique=True)
    members: Mapped[list[Student]] = relationship(secondary=memberships, back_populates="clubs", passive_deletes=True)


def as_row(obj) -> tuple:
    """An ORM object as its row, columns in schema order."""
    return tuple(getattr(obj, c.key) for c in obj.__table__.columns)


def engine_for(path: str):
    """An engine on the database file, with foreign keys enforced as ormscope enforces them."""
    engine = create_engine(f"sqlite:///{path}")

    @event.listens_for(engine, "connect")
    def _foreign_keys(dbapi_connection, _record):
        dbapi_connection.execute("PRAGMA foreign_keys = ON")

    return engine


def seeded_memory_engine(seed_path: str):
    """An engine on one in-memory database made by the SQL in seed_path, foreign keys enforced."""
    engine = create_engine("sqlite://", poolclass=StaticPool)
    with open(seed_path) as f:
        seed = f.read()
    raw = engine.raw_connection()
    try:
        raw.driver_connection.executescript(seed)
        raw.driver_connection.execute("PRAGMA foreign_keys = ON")
    finally:
        raw.close()
    return engine
