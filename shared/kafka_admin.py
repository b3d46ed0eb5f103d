"""Creates the platform's topics; safe to run again (existing topics are kept)."""

import asyncio
import logging
import sys

from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from shared.contracts import all_topics
from shared.settings import ServiceSettings

log = logging.getLogger(__name__)

TOPIC_ALREADY_EXISTS = 36


async def ensure_topics(bootstrap: str, partitions: int, replication: int = 1, timeout_s: float = 60) -> list[str]:
    """Create missing topics; returns the ones created. Waits for the broker up to `timeout_s`."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, client_id="kinerja-admin")
    deadline = asyncio.get_running_loop().time() + timeout_s
    while True:
        try:
            await admin.start()
            break
        except Exception:
            if asyncio.get_running_loop().time() > deadline:
                raise
            await asyncio.sleep(0.5)
    try:
        existing = set(await admin.list_topics())
        wanted = [t for t in all_topics() if t not in existing]
        if wanted:
            response = await admin.create_topics([NewTopic(t, partitions, replication) for t in wanted])
            failed = [(t, code, msg) for t, code, msg in response.topic_errors if code not in (0, TOPIC_ALREADY_EXISTS)]
            if failed:
                raise RuntimeError(f"could not create topics: {failed}")
        return wanted
    finally:
        await admin.close()


def main() -> int:
    settings = ServiceSettings(service_name="admin")
    created = asyncio.run(
        ensure_topics(settings.kafka_bootstrap, settings.topic_partitions, settings.topic_replication)
    )
    print(f"topics ready ({len(created)} created, {len(all_topics())} in all)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
