"""Dashboard: HR's view of its agency and operators' view of deliveries, server-rendered from a read model.

Its own database, fed only by the platform's events (scores, distributions, periods, reports, training plans,
coaching and career flags, delivery health); it never reads another service's database.
"""

from shared.agency_keys import API_KEY_ROUTE
from shared.service import ServiceDefinition

SERVICE = ServiceDefinition(
    name="dashboard",
    title="Kinerja dashboard",
    description="Pages for HR (BKPSDM) and operators: predikat distribution against the curve, trends, employees, "
    "the training plan and delivery health, from a read model fed by the platform's events.",
    consumes=[API_KEY_ROUTE],
)
