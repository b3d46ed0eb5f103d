"""Periods.

`period_schemes`: one document per agency and year (`<agency_id>/<tahun>`) holding the declared scheme and its
periods. It is rewritten as a whole, guarded by its `revision`: a writer that read an older revision fails with
a duplicate key instead of overwriting someone else's change (another replica's clock, another admin).
`next_close_at` (the earliest deadline or end of a reopening still ahead) lets the period clock find due work
through one index. `period_audit`: who closed or reopened which period, when, why, under which correlation id.
"""

from collections.abc import Collection
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase

from shared.contracts import new_event_id
from shared.contracts.common import PeriodType
from shared.contracts.periods import ClosedBy, PeriodScheme, PeriodStatus
from shared.messaging.unit_of_work import UnitOfWork

from ..domain.periods import AgencyPeriod, DeclaredScheme

PERIOD_SCHEMES = "period_schemes"
PERIOD_AUDIT = "period_audit"


async def setup_period_indexes(db: AsyncDatabase) -> None:
    await db[PERIOD_SCHEMES].create_index("next_close_at")
    await db[PERIOD_AUDIT].create_index([("agency_id", 1), ("period_id", 1), ("at", 1)])


def period_scheme_id(agency_id: str, tahun: int) -> str:
    return f"{agency_id}/{tahun}"


def _period_document(period: AgencyPeriod) -> dict[str, Any]:
    return {
        "period_id": period.period_id,
        "type": period.type.value,
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "deadline": period.deadline,
        "status": period.status.value,
        "reopened_until": period.reopened_until,
        "closed_at": period.closed_at,
        "closed_by": period.closed_by.value if period.closed_by else None,
    }


def period_scheme_document(scheme: DeclaredScheme) -> dict[str, Any]:
    return {
        "_id": period_scheme_id(scheme.agency_id, scheme.tahun),
        "agency_id": scheme.agency_id,
        "tahun": scheme.tahun,
        "skema": scheme.skema.value,
        "tenggat_hari": scheme.tenggat_hari,
        "revision": scheme.revision,
        "next_close_at": scheme.next_close_at,
        "periods": [_period_document(p) for p in scheme.periods],
    }


def period_scheme_from(document: dict[str, Any]) -> DeclaredScheme:
    agency_id = document["agency_id"]
    periods = tuple(
        AgencyPeriod(
            agency_id=agency_id,
            period_id=p["period_id"],
            type=PeriodType(p["type"]),
            start=date.fromisoformat(p["start"]),
            end=date.fromisoformat(p["end"]),
            deadline=p["deadline"],
            status=PeriodStatus(p["status"]),
            reopened_until=p.get("reopened_until"),
            closed_at=p.get("closed_at"),
            closed_by=ClosedBy(p["closed_by"]) if p.get("closed_by") else None,
        )
        for p in document["periods"]
    )
    return DeclaredScheme(
        agency_id=agency_id,
        tahun=document["tahun"],
        skema=PeriodScheme(document["skema"]),
        tenggat_hari=document["tenggat_hari"],
        periods=periods,
        revision=document["revision"],
    )


async def find_period_scheme(db: AsyncDatabase, *, agency_id: str, tahun: int) -> DeclaredScheme | None:
    document = await db[PERIOD_SCHEMES].find_one({"_id": period_scheme_id(agency_id, tahun)})
    return period_scheme_from(document) if document else None


async def declared_periods(uow: UnitOfWork, *, agency_id: str, years: Collection[int]) -> dict[int, list[AgencyPeriod]]:
    """The agency's declared periods of each year, read once per unit of work; a year without a scheme is absent."""
    found = await uow.get_many(PERIOD_SCHEMES, [period_scheme_id(agency_id, year) for year in set(years)])
    return {scheme.tahun: list(scheme.periods) for scheme in map(period_scheme_from, found.values())}


async def period_schemes_due(db: AsyncDatabase, *, now: datetime, limit: int) -> list[DeclaredScheme]:
    """Schemes with a period whose deadline (or reopening) has passed, earliest first."""
    cursor = db[PERIOD_SCHEMES].find({"next_close_at": {"$lt": now}}).sort("next_close_at", ASCENDING).limit(limit)
    return [period_scheme_from(d) async for d in cursor]


def stage_period_scheme(uow: UnitOfWork, *, scheme: DeclaredScheme, previous: DeclaredScheme | None) -> DeclaredScheme:
    """Write `scheme` at the commit, only over the revision read as `previous` (else: duplicate key at commit)."""
    revised = replace(scheme, revision=(previous.revision if previous else 0) + 1)
    document = period_scheme_document(revised)
    if previous is None:
        uow.insert(PERIOD_SCHEMES, document)
    else:
        uow.put(PERIOD_SCHEMES, document, match={"revision": previous.revision})
    return revised


def stage_period_audit(
    uow: UnitOfWork,
    *,
    agency_id: str,
    period_id: str,
    action: str,
    who: str,
    at: datetime,
    alasan: str | None,
    correlation_id: str,
    **details: Any,
) -> None:
    uow.insert(
        PERIOD_AUDIT,
        {
            "_id": new_event_id(),
            "agency_id": agency_id,
            "period_id": period_id,
            "action": action,
            "who": who,
            "at": at,
            "alasan": alasan,
            "correlation_id": correlation_id,
            **details,
        },
    )
