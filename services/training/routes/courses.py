"""The course catalogue HR edits: the shared catalogue (administrator) and each agency's own courses.

Every change is a new version of the course (the old one kept in its history); plans that may use the course
are re-optimised.
"""

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from shared.agency_keys import Caller, CallerDep
from shared.contracts.common import AgencyId
from shared.contracts.training import Course, CourseSpec
from shared.http_errors import ApiError
from shared.service import RuntimeDep

from ..documents import course_document, course_of
from ..domain.catalogue import CatalogueError, check_catalogue_change
from ..http import invalid
from ..repository import COURSE_VERSIONS, COURSES, courses_for, find_course, mark_plans_dirty_for_course

router = APIRouter(tags=["training catalogue"])

CourseIdPath = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9-]{1,63}$", description="e.g. kes-surveilans-klasikal")]


@router.get("/v1/training/courses")
async def list_courses(
    runtime: RuntimeDep, caller: CallerDep, agency_id: Annotated[AgencyId | None, Query()] = None
) -> list[Course]:
    """The shared catalogue and, with `agency_id`, that agency's own courses."""
    if agency_id is not None:
        caller.require_agency(agency_id)
    owner = agency_id if agency_id is not None else caller.agency_id
    return [course_of(d) for d in await courses_for(runtime.db, agency_id=owner)]


@router.get("/v1/training/courses/{course_id}")
async def get_course(course_id: CourseIdPath, runtime: RuntimeDep, caller: CallerDep) -> Course:
    return course_of(await _visible(runtime, caller, course_id))


@router.put("/v1/training/courses/{course_id}")
async def put_course(
    course_id: CourseIdPath,
    spec: CourseSpec,
    runtime: RuntimeDep,
    caller: CallerDep,
    agency_id: Annotated[AgencyId | None, Query(description="Admin only: the agency whose own course this is")] = None,
) -> Course:
    """Create or change a course. An agency's key writes its own courses; the administrator the shared
    catalogue (or, with `agency_id`, an agency's). Invalid: 422 naming the field."""
    if agency_id is not None:
        caller.require_agency(agency_id)  # an agency's key names only its own agency
    owner = agency_id if caller.is_admin else caller.agency_id
    existing = await find_course(runtime.db, course_id=course_id)
    if existing is not None and existing.get("agency_id") != owner:
        raise ApiError(
            409, "pelatihan_milik_pihak_lain", f"kode pelatihan {course_id} sudah dipakai katalog lain; pilih kode lain"
        )
    version = existing["version"] + 1 if existing else 1
    course = Course.model_validate({**spec.model_dump(), "id": course_id, "agency_id": owner, "version": version})
    catalogue = {d["_id"]: course_of(d) for d in await courses_for(runtime.db, agency_id=owner)}
    try:
        check_catalogue_change(course, catalogue)
    except CatalogueError as exc:
        raise invalid(exc.field, exc.code, exc.message) from None
    await _store(runtime, course, existing)
    return course


@router.delete("/v1/training/courses/{course_id}", status_code=204)
async def retire_course(course_id: CourseIdPath, runtime: RuntimeDep, caller: CallerDep) -> None:
    """Retire a course: plans stop using it; its history and the completions that name it stay."""
    existing = await _visible(runtime, caller, course_id)
    if existing.get("agency_id") is None and not caller.is_admin:
        raise ApiError(403, "forbidden", "hanya administrator yang mengubah katalog bersama")
    await _store(runtime, course_of(existing).model_copy(update={"version": existing["version"] + 1}), existing, True)


async def _visible(runtime: Any, caller: Caller, course_id: str) -> dict[str, Any]:
    document = await find_course(runtime.db, course_id=course_id)
    owner = None if document is None else document.get("agency_id")
    if document is None or document.get("retired") or (owner is not None and not caller.may_see(owner)):
        raise ApiError(404, "pelatihan_tidak_dikenal", f"pelatihan {course_id} tidak ada di katalog")
    return document


async def _store(runtime: Any, course: Course, existing: dict[str, Any] | None, retired: bool = False) -> None:
    uow = runtime.unit_of_work()
    now = datetime.now(UTC)
    if existing is not None:
        history = {k: v for k, v in existing.items() if k != "_id"}
        uow.insert(COURSE_VERSIONS, {"_id": f"{course.id}@{existing['version']}", **history})
    uow.put(COURSES, course_document(course) | {"retired": retired, "updated_at": now})
    await uow.commit()
    # After the commit: a planner reading the mark sooner could plan with the old course and clear it. If this
    # write fails the answer is an error, and the change sent again is stored and marked again.
    await mark_plans_dirty_for_course(runtime.db, agency_id=course.agency_id)
