"""How training's domain values are stored: dataclasses to BSON-safe documents and back.

BSON has no date type without a time, so dates are stored as ISO strings.
"""

from dataclasses import asdict, fields
from datetime import date
from enum import Enum
from typing import Any, TypeVar

from shared.contracts.training import Course

from .domain.model import Allocation, CompletedCourse, GapEvidence, MetEvidence

T = TypeVar("T")


def to_document(value: Any) -> dict[str, Any]:
    return {k: _plain(v) for k, v in asdict(value).items()}


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    return value.value if isinstance(value, Enum) else value


def from_document(cls: type[T], document: dict[str, Any]) -> T:
    names = {f.name: f for f in fields(cls)}  # type: ignore[arg-type]
    values = {k: v for k, v in document.items() if k in names}
    for name, field in names.items():
        if field.type is date and isinstance(values.get(name), str):
            values[name] = date.fromisoformat(values[name])
        if isinstance(field.type, type) and issubclass(field.type, Enum) and name in values:
            values[name] = field.type(values[name])
        if isinstance(values.get(name), list):
            values[name] = tuple(values[name])
    return cls(**values)


def evidence_of(document: dict[str, Any]) -> tuple[list[GapEvidence], list[MetEvidence]]:
    gaps = [from_document(GapEvidence, d) for d in document.get("evidence", [])]
    met = [from_document(MetEvidence, d) for d in document.get("met", [])]
    return gaps, met


def completed_course_of(document: dict[str, Any]) -> CompletedCourse:
    return CompletedCourse(
        course_id=document["course_id"],
        kompetensi=tuple(document["kompetensi"]),
        jp=document["jp"],
        selesai_pada=date.fromisoformat(document["selesai_pada"]),
    )


def allocation_of(document: dict[str, Any]) -> Allocation:
    return from_document(Allocation, document)


def course_document(course: Course) -> dict[str, Any]:
    return {"_id": course.id, **course.model_dump(mode="json")}


def course_of(document: dict[str, Any]) -> Course:
    return Course.model_validate({k: v for k, v in document.items() if k not in ("_id", "retired", "updated_at")})
