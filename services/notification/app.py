"""Notification: tells employees, supervisors (atasan) and HR what happened, through their inbox and by e-mail,
and pushes events to downstream systems' webhooks.

Flow: events in (scores, annual scores, rejected reports, training plans, coaching, career flags, curve
violations; completed training for webhooks only; employees, periods and reports as notification's own copies)
-> domain (who hears what, through which channel, in which words)
-> inbox items + deliveries + outbox in one transaction -> the delivery worker sends e-mails (SMTP) and
webhooks (Standard Webhooks), retrying with backoff -> kinerja.notification.sent.v1 for each message that
arrived. Background jobs: the delivery worker, deadline reminders, the daily digest, and the delivery health
(kinerja.delivery.health.v1: per agency, each channel's sent / pending / dead and its webhook endpoints' state,
published when it changed).
"""

import logging

from prometheus_client import Gauge
from pymongo.asynchronous.database import AsyncDatabase

from shared.agency_keys import API_KEY_ROUTE
from shared.contracts import (
    CAREER_FLAGGED,
    COACHING_REQUIRED,
    DELIVERY_HEALTH,
    DISTRIBUTION_EVALUATED,
    EMPLOYEE_REGISTERED,
    NOTIFICATION_SENT,
    PERIOD_CLOSED,
    PERIOD_OPENED,
    PERIOD_REOPENED,
    REPORT_REJECTED,
    REPORT_SUBMITTED,
    SCORE_ANNUAL,
    SCORE_COMPUTED,
    TRAINING_COMPLETED,
    TRAINING_RECOMMENDED,
)
from shared.messaging.consumer import Route
from shared.service import Runtime, ServiceDefinition

from .channels import EmailChannel, WebhookChannel
from .channels.webhook import SecretsFor
from .delivery_store import ensure_delivery_indexes
from .delivery_worker import DeliveryWorker
from .digests import run_digests
from .domain.deliveries import Channel, Delivery
from .domain.retry import EMAIL_RETRY, WEBHOOK_RETRY
from .fan_out import prefetch_audience
from .handlers import (
    on_annual_score,
    on_career_flagged,
    on_coaching_required,
    on_delivery_sent,
    on_distribution_evaluated,
    on_employee_registered,
    on_period_closed,
    on_period_opened,
    on_period_reopened,
    on_report_rejected,
    on_report_submitted,
    on_score_computed,
    on_training_completed,
    on_training_recommended,
)
from .health_reports import report_delivery_health
from .reminders import run_reminders
from .repository import setup_indexes as setup_own_indexes
from .routes import ROUTERS
from .settings import NotificationSettings
from .wiring import notification_settings, on_wake, webhook_secrets

log = logging.getLogger(__name__)

DELIVERIES_IN_FLIGHT = Gauge("kinerja_deliveries_in_flight", "Deliveries this process holds: queued in a lane or sent")
DELIVERY_TARGETS_PAUSED = Gauge(
    "kinerja_delivery_targets_paused", "Endpoints and mail domains paused after failing in a row (circuit open)"
)

# Without a wake (a consumer's commit has no hook), the worker finds new deliveries within this.
DELIVERY_POLL_S = 1.0


async def setup_indexes(db: AsyncDatabase) -> None:
    await setup_own_indexes(db)
    await ensure_delivery_indexes(db)


class PerSubscriptionWebhooks:
    """The webhook channel, honouring what an administrator allowed one subscription (`allow_private`, copied
    into its deliveries): those go through a channel that skips the private-address check; every other delivery
    is checked again at send time."""

    channel = Channel.WEBHOOK

    def __init__(self, settings: NotificationSettings, secrets_for: SecretsFor) -> None:
        self._checked = WebhookChannel(settings, secrets_for)
        opened = settings.model_copy(update={"allow_private_webhooks": True})
        self._allowed = self._checked if settings.allow_private_webhooks else WebhookChannel(opened, secrets_for)

    async def send(self, delivery: Delivery) -> None:
        channel = self._allowed if delivery.payload.get("allow_private") is True else self._checked
        await channel.send(delivery)

    async def aclose(self) -> None:
        await self._checked.aclose()
        if self._allowed is not self._checked:
            await self._allowed.aclose()


async def run_delivery_worker(runtime: Runtime) -> None:
    """Sends e-mails and webhooks as they fall due (delivery_worker.py), for the life of the process."""
    settings = notification_settings()
    secrets = webhook_secrets(runtime.db)
    worker = DeliveryWorker(
        runtime,
        adapters={
            Channel.EMAIL: EmailChannel(settings),
            Channel.WEBHOOK: PerSubscriptionWebhooks(settings, secrets.secrets_for),
        },
        policies={
            Channel.EMAIL: EMAIL_RETRY.overridden(give_up_after_s=settings.email_give_up_after_s),
            Channel.WEBHOOK: WEBHOOK_RETRY.overridden(give_up_after_s=settings.webhook_give_up_after_s),
        },
        settings=settings,
        on_sent=on_delivery_sent,
        max_idle_s=DELIVERY_POLL_S,
    )
    on_wake(worker.wake)
    DELIVERIES_IN_FLIGHT.set_function(lambda: sum(worker.in_flight.values()))
    DELIVERY_TARGETS_PAUSED.set_function(lambda: len(worker.paused_targets))
    await worker.run()


SERVICE = ServiceDefinition(
    name="notification",
    title="Kinerja notification",
    description="Tells employees, supervisors and HR what happened (inbox, e-mail, daily digest, deadline "
    "reminders) and pushes events to downstream systems by signed webhooks (Standard Webhooks).",
    consumes=[
        Route(EMPLOYEE_REGISTERED, on_employee_registered),
        Route(SCORE_COMPUTED, on_score_computed, prefetch=prefetch_audience),
        Route(SCORE_ANNUAL, on_annual_score, prefetch=prefetch_audience),
        Route(REPORT_REJECTED, on_report_rejected, prefetch=prefetch_audience),
        Route(TRAINING_RECOMMENDED, on_training_recommended, prefetch=prefetch_audience),
        Route(COACHING_REQUIRED, on_coaching_required, prefetch=prefetch_audience),
        Route(CAREER_FLAGGED, on_career_flagged, prefetch=prefetch_audience),
        Route(TRAINING_COMPLETED, on_training_completed),
        Route(DISTRIBUTION_EVALUATED, on_distribution_evaluated),
        Route(REPORT_SUBMITTED, on_report_submitted),
        Route(PERIOD_OPENED, on_period_opened),
        Route(PERIOD_REOPENED, on_period_reopened),
        Route(PERIOD_CLOSED, on_period_closed),
        API_KEY_ROUTE,
    ],
    emits=[NOTIFICATION_SENT, DELIVERY_HEALTH],
    routers=list(ROUTERS),
    setup_indexes=setup_indexes,
    background=[run_delivery_worker, run_reminders, run_digests, report_delivery_health],
)
