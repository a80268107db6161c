"""The School as SQLAlchemy 2.x declarative models (a copy of ../shared/conformance/models.py, the
oracle's side of the conformance run), so that the face test runs on a checkout alone."""
from typing import Optional

from sqlalchemy import CheckConstraint, Column, ForeignKey, Integer, Table, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


memberships = Table(
    "memberships",
    Base.metadata,
    Column("student_id", Integer, ForeignKey("students.id", ondelete="CASCADE"), primary_key=True),
    Column("club_id", Integer, ForeignKey("clubs.id", ondelete="CASCADE"), primary_key=True, index=True),
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
    __table_args__ = (CheckConstraint("year BETWEEN 1 AND 4"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    email: Mapped[str] = mapped_column(Text, unique=True)
    year: Mapped[int] = mapped_column(Integer)
    advisor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("teachers.id", ondelete="SET NULL"), index=True)
    advisor: Mapped[Optional[Teacher]] = relationship(back_populates="advisees")
    classes: Mapped[list["Class"]] = relationship(back_populates="student", cascade="all", passive_deletes=True)
    clubs: Mapped[list["Club"]] = relationship(secondary=memberships, back_populates="members", passive_deletes=True)


class Class(Base):
    __tablename__ = "classes"
    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("students.id", ondelete="CASCADE"), index=True)
    teacher_id: Mapped[Optional[int]] = mapped_column(ForeignKey("teachers.id", ondelete="SET NULL"), index=True)
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


TABLES = ["teachers", "students", "classes", "clubs", "memberships"]
MODELS = [Teacher, Student, Class, Club]


def columns(table: str) -> list[str]:
    """The table's columns in schema order."""
    return [c.name for c in Base.metadata.tables[table].columns]


def as_row(obj) -> list:
    """An ORM object as its row, columns in schema order."""
    return [getattr(obj, c) for c in columns(obj.__tablename__)]
