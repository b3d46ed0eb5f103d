"""Structured JSON logs that carry the service and the current correlation id.

One context variable holds the correlation id: the HTTP middleware
(asgi-correlation-id) sets it from `X-Correlation-Id` or a new id, and the
consumer sets it from each event's envelope, so every line written while
handling a request or an event carries it.
"""

import logging
import sys
import time

from asgi_correlation_id.context import correlation_id
from pythonjsonlogger.json import JsonFormatter

__all__ = ["RepeatThrottle", "configure_logging", "correlation_id"]


class _ContextFilter(logging.Filter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def filter(self, record: logging.LogRecord) -> bool:
        record.service = self.service
        # A line about one event of a batch names that event's id explicitly.
        if getattr(record, "correlation_id", None) is None:
            record.correlation_id = correlation_id.get()
        return True


class RepeatThrottle(logging.Filter):
    """Lets one line of a kind through per window, then says how many it held back.

    While Kafka is down, aiokafka reports every reconnect attempt: hundreds of
    identical lines per service for a ten-second outage. Operators need to know
    it is happening, once, not to scroll past it.
    """

    def __init__(self, prefix: str = "aiokafka", window_s: float = 30.0, clock=time.monotonic) -> None:
        super().__init__()
        self.prefix, self.window_s, self.clock = prefix, window_s, clock
        self._seen: dict[tuple[str, int, str], tuple[float, int]] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.name.startswith(self.prefix):
            return True
        key = (record.name, record.levelno, str(record.msg))
        now = self.clock()
        first, held = self._seen.get(key, (None, 0))
        if first is not None and now - first < self.window_s:
            self._seen[key] = (first, held + 1)
            return False
        self._seen[key] = (now, 0)
        if held:
            record.repeated = held  # how many like it were held back in the last window
        return True


def configure_logging(service: str, level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        JsonFormatter(
            "{asctime}{levelname}{name}{message}{service}{correlation_id}",
            style="{",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        )
    )
    handler.addFilter(_ContextFilter(service))
    handler.addFilter(RepeatThrottle())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("aiokafka", "pymongo"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))

    # uvicorn installs its own handlers; route them through ours. Requests are
    # logged once by shared.http_access, so uvicorn's access log stays off.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.access").disabled = True
