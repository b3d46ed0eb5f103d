"""Scoring's HTTP API: scores and their explanation, distributions, policies and admin jobs."""

from .admin import router as admin_router
from .distributions import router as distributions_router
from .scores import router as scores_router

ROUTERS = (scores_router, distributions_router, admin_router)
