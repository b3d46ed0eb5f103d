"""Consumer lag per group and partition, read from Kafka when Prometheus scrapes.

Lag is the partition's end offset minus the group's committed offset: the
records the service has not yet made durable. It is read from the broker,
not from the consumer's own bookkeeping, so a stuck consumer shows a growing
lag instead of a stale zero.
"""

import contextlib
from collections.abc import Callable, Sequence

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from shared.observability import CONSUMER_LAG

LAG_TIMEOUT_S = 2.0


class ConsumerLagProbe:
    def __init__(
        self, bootstrap: str, group: str, topics: Sequence[str], consumer: Callable[[], AIOKafkaConsumer | None]
    ) -> None:
        self.bootstrap, self.group, self.topics = bootstrap, group, list(topics)
        self._consumer = consumer  # the subscriber's own client: its metadata knows the partitions
        self._admin: AIOKafkaAdminClient | None = None

    async def refresh(self) -> None:
        consumer = self._consumer()
        if consumer is None:
            return
        partitions = [TopicPartition(t, p) for t in self.topics for p in sorted(consumer.partitions_for_topic(t) or ())]
        if not partitions:
            return
        admin = await self._admin_client()
        committed = await admin.list_consumer_group_offsets(self.group)
        ends = await consumer.end_offsets(partitions)
        for tp in partitions:
            done = committed.get(tp)
            lag = ends[tp] - (done.offset if done is not None and done.offset >= 0 else 0)
            CONSUMER_LAG.labels(group=self.group, topic=tp.topic, partition=str(tp.partition)).set(max(lag, 0))

    async def _admin_client(self) -> AIOKafkaAdminClient:
        if self._admin is None:
            admin = AIOKafkaAdminClient(
                bootstrap_servers=self.bootstrap,
                client_id=f"{self.group}-lag",
                request_timeout_ms=int(LAG_TIMEOUT_S * 1000),
            )
            try:
                await admin.start()
            except BaseException:
                await admin.close()
                raise
            self._admin = admin
        return self._admin

    async def close(self) -> None:
        if self._admin is not None:
            with contextlib.suppress(Exception):
                await self._admin.close()
            self._admin = None
