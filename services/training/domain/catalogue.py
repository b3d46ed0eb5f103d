"""The course catalogue: what an agency can send an employee to, at what JP, cost and seats.

The shared catalogue is seeded from catalogue.json (a list of Course
documents with agency_id null); HR then changes it through the API, and an
agency may add courses of its own. A change is checked here before it is
stored: its prerequisites must exist in the catalogue the course is visible
in, and must never lead back to the course itself.
"""

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from shared.contracts.training import Course, CourseId

from .errors import TrainingDomainError
from .model import CourseOffer

SEED_CATALOGUE_PATH = Path(__file__).with_name("catalogue.json")

_COURSES = TypeAdapter(list[Course])


class CatalogueError(TrainingDomainError):
    """A catalogue change refused; `field` names the part of the course at fault."""

    code = "katalog_tidak_valid"

    def __init__(self, code: str, field: str, message: str) -> None:
        super().__init__(message, code)
        self.field = field


def load_seed_catalogue(path: Path | str | None = None) -> list[Course]:
    """The seeded shared catalogue (cached when read from the default file); ValueError when it is not valid."""
    if path is None:
        return list(_seed_catalogue())
    return _read_catalogue(Path(path))


@lru_cache(maxsize=1)
def _seed_catalogue() -> tuple[Course, ...]:
    return tuple(_read_catalogue(SEED_CATALOGUE_PATH))


def _read_catalogue(path: Path) -> list[Course]:
    try:
        courses = _COURSES.validate_json(path.read_bytes())
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:5])
        raise ValueError(f"{path}: {problems}") from None
    by_id: dict[str, Course] = {}
    for course in courses:
        if course.id in by_id:
            raise ValueError(f"{path}: duplicate course id {course.id!r}")
        by_id[course.id] = course
    for course in courses:
        try:
            check_catalogue_change(course, by_id)
        except CatalogueError as exc:
            raise ValueError(f"{path}: {course.id}: {exc.message}") from None
    return courses


def course_offer(course: Course) -> CourseOffer:
    """What the plan's optimiser knows of a course: its seats over the year are every run's."""
    return CourseOffer(
        id=course.id,
        mode=course.mode,
        jp=course.jp,
        biaya=course.biaya,
        kursi=course.kursi,
        kompetensi=tuple(dict.fromkeys(course.kompetensi)),
        prasyarat=tuple(dict.fromkeys(course.prasyarat)),
    )


def check_catalogue_change(course: Course, catalogue: Mapping[CourseId, Course]) -> None:
    """Refuse a new or changed course whose prerequisites are unknown, itself, or lead back to it.

    `catalogue` is the catalogue as stored (with or without the course's previous version); the course
    replaces its previous version for the check. A prerequisite must be a shared course or one of the
    course's own agency: a shared course cannot require an agency's own course, which other agencies
    never see.
    """
    if course.id in course.prasyarat:
        raise CatalogueError(
            "prasyarat_diri_sendiri",
            "prasyarat",
            f"Kursus {course.id} tidak dapat menjadi prasyarat bagi dirinya sendiri.",
        )
    view = {**catalogue, course.id: course}
    for prasyarat in course.prasyarat:
        _check_known(course, view.get(prasyarat), prasyarat)
    cycle = _path_back(course.id, view)
    if cycle:
        raise CatalogueError(
            "prasyarat_melingkar",
            "prasyarat",
            f"Prasyarat melingkar: {' → '.join(cycle)}. Sebuah kursus tidak boleh, langsung atau tidak langsung, "
            "menjadi prasyarat bagi dirinya sendiri.",
        )


def _check_known(course: Course, required: Course | None, prasyarat: CourseId) -> None:
    if required is None:
        raise CatalogueError(
            "prasyarat_tidak_dikenal",
            "prasyarat",
            f"Prasyarat {prasyarat} dari kursus {course.id} tidak ada dalam katalog.",
        )
    if required.agency_id is not None and required.agency_id != course.agency_id:
        owner = "katalog bersama" if course.agency_id is None else f"instansi {course.agency_id}"
        raise CatalogueError(
            "prasyarat_tidak_dikenal",
            "prasyarat",
            f"Prasyarat {prasyarat} adalah kursus milik instansi {required.agency_id} dan tidak tersedia "
            f"bagi {owner} (kursus {course.id}).",
        )


def _path_back(start: CourseId, view: Mapping[CourseId, Course]) -> list[CourseId]:
    """A prerequisite path from `start` back to itself ([start, ..., start]), or [] when there is none.

    Only cycles through the changed course are looked for: the stored catalogue passed this check course by
    course, so a new cycle must go through the course being changed.
    """
    stack: list[tuple[CourseId, list[CourseId]]] = [(start, [start])]
    seen: set[CourseId] = set()
    while stack:
        current, path = stack.pop()
        node = view.get(current)
        for prasyarat in node.prasyarat if node is not None else ():
            if prasyarat == start:
                return [*path, start]
            if prasyarat not in seen:
                seen.add(prasyarat)
                stack.append((prasyarat, [*path, prasyarat]))
    return []
