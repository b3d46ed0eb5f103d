"""The course catalogue: what an agency can send an employee to, at what JP and cost.

Kept as data (catalogue.json) because BKPSDM changes offerings and prices
every budget year without a code change.
"""

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from shared.contracts.training import LearningMode, Recommendation

DEFAULT_CATALOGUE_PATH = Path(__file__).with_name("catalogue.json")


@dataclass(frozen=True)
class Course:
    id: str
    judul: str
    mode: LearningMode
    jp: int  # jam pelajaran, 1 JP = 45 minutes
    biaya: int  # rupiah per participant
    kompetensi: tuple[str, ...]

    def to_recommendation(self) -> Recommendation:
        return Recommendation(
            course_id=self.id,
            judul=self.judul,
            mode=self.mode,
            jp=self.jp,
            biaya=self.biaya,
            kompetensi=list(self.kompetensi),
        )


def load_catalogue(path: Path | str | None = None) -> list[Course]:
    """Load and validate the catalogue: unique ids, positive JP, non-negative cost."""
    if path is None:
        return list(_default_catalogue())
    return _read_catalogue(Path(path))


@lru_cache(maxsize=1)
def _default_catalogue() -> tuple[Course, ...]:
    return tuple(_read_catalogue(DEFAULT_CATALOGUE_PATH))


def _read_catalogue(path: Path) -> list[Course]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: not valid JSON ({exc})") from exc
    if not isinstance(document, dict) or not isinstance(document.get("courses"), list):
        raise ValueError(f"{path}: must be an object with a 'courses' list")
    courses = [_parse_course(raw, f"{path}: courses[{i}]") for i, raw in enumerate(document["courses"])]
    seen: set[str] = set()
    for course in courses:
        if course.id in seen:
            raise ValueError(f"{path}: duplicate course id {course.id!r}")
        seen.add(course.id)
    return courses


def _parse_course(raw: Any, where: str) -> Course:
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: must be an object")
    try:
        course = Course(
            id=_text(raw["id"], "id"),
            judul=_text(raw["judul"], "judul"),
            mode=LearningMode(raw["mode"]),
            jp=raw["jp"],
            biaya=raw["biaya"],
            kompetensi=_tags(raw["kompetensi"]),
        )
    except KeyError as exc:
        raise ValueError(f"{where}: missing field {exc.args[0]!r}") from None
    except ValueError as exc:
        raise ValueError(f"{where}: {exc}") from None
    _check_numbers(course, where)
    return course


def _check_numbers(course: Course, where: str) -> None:
    # bool is an int subclass; `true` in JSON must not pass as 1 JP.
    if not isinstance(course.jp, int) or isinstance(course.jp, bool) or course.jp <= 0:
        raise ValueError(f"{where} ({course.id}): jp must be a positive integer, got {course.jp!r}")
    if not isinstance(course.biaya, int) or isinstance(course.biaya, bool) or course.biaya < 0:
        raise ValueError(f"{where} ({course.id}): biaya must be a non-negative integer (rupiah), got {course.biaya!r}")


def _tags(value: Any) -> tuple[str, ...]:
    # A course that covers no kompetensi could never close a gap; reject it early.
    if not isinstance(value, list) or not value:
        raise ValueError(f"kompetensi must be a non-empty list of tags, got {value!r}")
    return tuple(_text(tag, "kompetensi") for tag in value)


def _text(value: Any, field: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{field} must be a non-empty string, got {value!r}")
    return value
