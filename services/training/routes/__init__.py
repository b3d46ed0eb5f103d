"""Training's HTTP API: the plan and budget, the catalogue, and what HR reads and records about people."""

from .courses import router as courses_router
from .people import router as people_router
from .plans import router as plans_router

ROUTERS = (plans_router, courses_router, people_router)
