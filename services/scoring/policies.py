"""Which scoring policy applies to an agency: its own latest version, else the national default.

Policies are immutable once published (a change is a new version), so a parsed
policy is kept per version for the life of the process.
"""

from typing import Any

from shared.messaging.unit_of_work import UnitOfWork

from .domain import ScoringPolicy, national_policy
from .repository import CURRENT_POLICIES, POLICIES

_parsed: dict[str, ScoringPolicy] = {}


def parsed_policy(document: dict[str, Any]) -> ScoringPolicy:
    version = document["version"]
    if version not in _parsed:
        _parsed[version] = ScoringPolicy.model_validate(document)
    return _parsed[version]


async def policy_for(uow: UnitOfWork, agency_id: str) -> ScoringPolicy:
    current = await uow.get(CURRENT_POLICIES, agency_id)
    return national_policy() if current is None else parsed_policy(current["policy"])


def publish_policy(uow: UnitOfWork, agency_id: str, policy: ScoringPolicy, number: int, at: Any) -> None:
    """Version `number` of the agency's policy, from now on its current one."""
    document = policy.model_dump(mode="json")
    uow.insert(
        POLICIES,
        {"_id": policy.version, "agency_id": agency_id, "number": number, "published_at": at, "policy": document},
    )
    uow.put(CURRENT_POLICIES, {"_id": agency_id, "version": policy.version, "policy": document})
