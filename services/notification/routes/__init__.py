"""Notification's HTTP API: the inbox, recipients' preferences and HR contacts, webhook subscriptions, deliveries,
and the administrator's list of notifications."""

from .deliveries import router as deliveries_router
from .inbox import router as inbox_router
from .notifications import router as notifications_router
from .people import router as people_router
from .webhooks import router as webhooks_router

ROUTERS = (inbox_router, people_router, webhooks_router, deliveries_router, notifications_router)
