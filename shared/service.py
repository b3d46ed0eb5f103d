"""Builds a service process: FastAPI for HTTP, FastStream for Kafka, one lifespan.

A service declares what it consumes (routes), what it emits, its HTTP routes
and its indexes; this module wires the rest the same way everywhere.
"""

import asyncio
import contextlib
import logging
import socket
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any

import uvicorn
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse
from faststream.exceptions import NackMessage
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from faststream.message import StreamMessage
from faststream.middlewares import AckPolicy
from faststream.specification import AsyncAPI
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from shared.contracts import EventSpec
from shared.error_docs import ERROR_RESPONSES
from shared.http_access import install_request_tracing
from shared.http_errors import install_error_handlers
from shared.http_server import JsonErrorH11Protocol
from shared.kafka_admin import ensure_topics
from shared.logging import configure_logging
from shared.messaging.consumer import EventConsumer, Route
from shared.messaging.idle_fetch import IdleFetchPause
from shared.messaging.lag import ConsumerLagProbe
from shared.messaging.relay import OutboxRelay
from shared.messaging.unit_of_work import UnitOfWork
from shared.mongo import connect, is_infrastructure_error, ping
from shared.observability import health_router
from shared.settings import ServiceSettings, load_settings
from shared.web.docs import asyncapi_response, documented_app

log = logging.getLogger(__name__)

IndexSetup = Callable[[AsyncDatabase], Awaitable[None]]

# Large enough for any SKP or report, small enough that every event fits a Kafka record.
MAX_BODY_BYTES = 512 * 1024


@dataclass
class ServiceDefinition:
    name: str
    title: str
    description: str
    consumes: Sequence[Route] = ()
    emits: Sequence[EventSpec[Any]] = ()
    routers: Sequence[APIRouter] = ()
    setup_indexes: IndexSetup | None = None
    # True when agencies reach the service over HTTP first (intake): it stays ready while Kafka is down.
    http_door: bool = False
    # Path prefixes that take bigger bodies than MAX_BODY_BYTES (spreadsheet uploads), with their limit.
    larger_bodies: Mapping[str, int] = field(default_factory=dict)
    # Coroutines that run for the life of the process (e.g. a clock), started after the relay, cancelled first.
    background: Sequence[Callable[["Runtime"], Awaitable[None]]] = ()
    # The service's own pages for people, listed first on `/`: (path, Bahasa Indonesia, English).
    pages: tuple[tuple[str, str, str], ...] = ()


@dataclass
class Runtime:
    """Per-process resources, reachable from routes through `RuntimeDep`."""

    settings: ServiceSettings
    client: AsyncMongoClient
    db: AsyncDatabase
    relay: OutboxRelay

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self.db, on_commit=self.relay.wake, source=f"kinerja/{self.settings.service_name}")


def _runtime(request: Request) -> Runtime:
    return request.app.state.runtime


RuntimeDep = Annotated[Runtime, Depends(_runtime)]


def start_background(definition: ServiceDefinition, runtime: Runtime) -> list[asyncio.Task[None]]:
    return [
        asyncio.create_task(job(runtime), name=f"{definition.name}:{getattr(job, '__name__', 'background')}")
        for job in definition.background
    ]


async def stop_background(tasks: Sequence[asyncio.Task[None]]) -> None:
    for task in tasks:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task


def build_broker(definition: ServiceDefinition, settings: ServiceSettings) -> KafkaBroker:
    broker = KafkaBroker(
        settings.kafka_bootstrap,
        client_id=f"kinerja-{definition.name}",
        logger=logging.getLogger(f"kinerja.broker.{definition.name}"),
        # FastStream's per-batch "Received"/"Processed" lines know no correlation id; the consumer
        # logs each event it handled instead, with its id.
        log_level=logging.DEBUG,
    )
    for spec in definition.emits:
        broker.publisher(spec.topic, schema=spec.envelope_model, title=spec.topic, description=spec.description)
    return broker


async def _raw_values(message: StreamMessage[Any]) -> list[bytes]:
    # No decoding by FastStream: a record it cannot decode would fail the
    # whole batch before our consumer could dead-letter it, forever.
    return [record.value or b"" for record in message.raw_message]


def register_subscriber(
    definition: ServiceDefinition,
    broker: KafkaBroker,
    settings: ServiceSettings,
    consumer: Callable[[], EventConsumer],
    handling: Callable[[], contextlib.AbstractAsyncContextManager[None]] = contextlib.nullcontext,
) -> None:
    """One consumer (group `kinerja-<service>`) over every topic the service reads."""
    topics = [r.spec.topic for r in definition.consumes]

    @broker.subscriber(
        *topics,
        group_id=settings.consumer_group,
        group_instance_id=settings.consumer_instance,
        batch=True,
        max_records=settings.consumer_batch_size,
        batch_timeout_ms=200,
        auto_offset_reset="earliest",
        # With static membership a restarted replica rejoins at once; one that
        # never returns is dropped after its session times out.
        session_timeout_ms=10_000,
        heartbeat_interval_ms=2_000,
        ack_policy=AckPolicy.NACK_ON_ERROR,
        title=f"{definition.name}:consume",
        description=f"CloudEvents (structured JSON) from {', '.join(topics)}; schemas in docs/schemas",
        decoder=_raw_values,
    )
    async def on_records(body: list[bytes], message: KafkaMessage) -> None:
        try:
            async with handling():
                await consumer().process_batch(message.raw_message)
        except Exception as exc:
            if is_infrastructure_error(exc):
                # Expected and already logged as one line: redeliver without FastStream's traceback.
                raise NackMessage() from exc
            raise


def asyncapi_for(definition: ServiceDefinition, broker: KafkaBroker) -> AsyncAPI:
    return AsyncAPI(broker, title=f"Kinerja {definition.name}", version="1.0.0", description=definition.description)


def asyncapi_document(definition: ServiceDefinition, broker: KafkaBroker) -> dict[str, Any]:
    """FastStream's document, with each consumed topic's envelope schema filled in.

    The subscriber takes raw records (it parses envelopes itself so that a bad
    one is dead-lettered rather than failing the batch), so FastStream alone
    would describe the payload as bytes.
    """
    doc = asyncapi_for(definition, broker).to_specification().to_jsonable()
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    messages = doc["components"].setdefault("messages", {})
    raw = f"{definition.name}:consume"
    for name in [n for n in doc.get("channels", {}) if n.startswith(raw)]:
        doc["channels"].pop(name)
    for op in [k for k in doc.get("operations", {}) if k.startswith(raw)]:
        doc["operations"].pop(op)
    for key in [k for k in messages if k.startswith(raw)]:
        messages.pop(key)
    for key in [k for k in schemas if k.startswith(raw)]:
        schemas.pop(key)
    for route in definition.consumes:
        topic, model = route.spec.topic, route.spec.envelope_model
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(schema.pop("$defs", {}))
        schemas[model.__name__] = schema
        messages[f"{topic}:Consumed"] = {
            "title": f"{topic}:Consumed",
            "contentType": "application/cloudevents+json",
            "payload": {"$ref": f"#/components/schemas/{model.__name__}"},
        }
        doc["channels"][f"{topic}:consumed"] = {
            "address": topic,
            "description": f"{route.spec.description} (consumer group kinerja-{definition.name})",
            "messages": {"Message": {"$ref": f"#/components/messages/{topic}:Consumed"}},
            "bindings": {"kafka": {"topic": topic, "bindingVersion": "0.4.0"}},
        }
        doc.setdefault("operations", {})[f"{topic}:receive"] = {
            "action": "receive",
            "channel": {"$ref": f"#/channels/{topic}:consumed"},
            "messages": [{"$ref": f"#/channels/{topic}:consumed/messages/Message"}],
        }
    return doc


def _lifespan(
    definition: ServiceDefinition,
    settings: ServiceSettings,
    broker: KafkaBroker,
    lag: ConsumerLagProbe | None,
    idle: IdleFetchPause | None,
):
    """Start in dependency order (database, indexes, topics, consumers, relay, background); stop in reverse."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(definition.name, settings.log_level)
        client = connect(settings)
        db = client[settings.database]
        relay = OutboxRelay(db, settings)
        runtime = Runtime(settings, client, db, relay)
        app.state.runtime = runtime
        await relay.ensure_indexes()
        if definition.setup_indexes:
            await definition.setup_indexes(db)
        await ensure_topics(settings.kafka_bootstrap, settings.topic_partitions, settings.topic_replication)
        if definition.consumes:
            app.state.consumer = EventConsumer(db, definition.consumes, settings, on_commit=relay.wake)
            await app.state.consumer.ensure_indexes()
        await broker.start()
        if idle is not None:
            idle.start()
        relay.start()
        background = start_background(definition, runtime)
        log.info("service started", extra={"port": settings.port, "database": settings.database})
        try:
            yield
        finally:
            await stop_background(background)
            if idle is not None:
                await idle.stop()
            await broker.stop()  # stop taking work first, then stop publishing it
            await relay.stop()
            if lag is not None:
                await lag.close()
            await client.close()
            log.info("service stopped")

    return lifespan


def _operations(app: FastAPI, definition: ServiceDefinition, broker: KafkaBroker, lag: ConsumerLagProbe | None) -> None:
    """Health, readiness, metrics and the AsyncAPI document, the same on every service."""

    async def readiness() -> dict[str, bool]:
        runtime: Runtime | None = getattr(app.state, "runtime", None)
        if runtime is None:
            return {"started": False}
        return {
            "mongodb": await ping(runtime.db),
            "kafka": await broker.ping(timeout=2.0),
            "consumers": all(s.running for s in broker.subscribers) if definition.consumes else True,
        }

    async def outbox_metrics() -> None:
        if (runtime := getattr(app.state, "runtime", None)) is not None:
            await runtime.relay.refresh_metrics()

    # A service whose main door is HTTP keeps accepting work while Kafka is down: its outbox holds it.
    informational = frozenset({"kafka", "consumers"}) if definition.http_door else frozenset()
    refreshers = [outbox_metrics] + ([lag.refresh] if lag is not None else [])
    app.include_router(health_router(readiness, informational, refreshers))

    @app.get("/asyncapi.json", include_in_schema=False)
    async def asyncapi_json() -> JSONResponse:
        return JSONResponse(asyncapi_document(definition, broker))

    @app.get("/asyncapi", include_in_schema=False)
    async def asyncapi_html(request: Request) -> HTMLResponse:
        return asyncapi_response(f"Kinerja {definition.name}", asyncapi_document(definition, broker), request)


def create_app(definition: ServiceDefinition, settings: ServiceSettings | None = None) -> FastAPI:
    settings = settings or load_settings(definition.name)
    broker = build_broker(definition, settings)
    lag = idle = None
    if definition.consumes:
        if settings.consumer_idle_pause_ms:
            idle = IdleFetchPause(lambda: broker.subscribers[0].consumer, settings.consumer_idle_pause_ms / 1000)
        handling = idle.handling if idle is not None else contextlib.nullcontext
        register_subscriber(definition, broker, settings, lambda: app.state.consumer, handling)
        subscriber = broker.subscribers[0]
        topics = [r.spec.topic for r in definition.consumes]
        lag = ConsumerLagProbe(settings.kafka_bootstrap, settings.consumer_group, topics, lambda: subscriber.consumer)
    # /docs, /redoc, their assets and / from the service itself: no CDN (see shared.web.docs).
    app = documented_app(
        title=definition.title,
        description=definition.description,
        version="1.0.0",
        pages=definition.pages,
        lifespan=_lifespan(definition, settings, broker, lag, idle),
    )
    install_error_handlers(app, MAX_BODY_BYTES, definition.larger_bodies)
    install_request_tracing(app)
    _operations(app, definition, broker, lag)
    for router in definition.routers:
        app.include_router(router, responses=ERROR_RESPONSES)
    return app


def port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def serve(definition: ServiceDefinition) -> None:
    """Entry point of `python -m services.<name>`."""
    settings = load_settings(definition.name)
    configure_logging(definition.name, settings.log_level)
    if reason := settings.unsafe_for_development() or settings.unsafe_admin_token():
        print(f"kinerja-{definition.name}: {reason}", file=sys.stderr)
        sys.exit(2)
    if not port_is_free(settings.http_host, settings.port):
        print(
            f"kinerja-{definition.name}: port {settings.port} on {settings.http_host} is already in use; "
            f"set KINERJA_HTTP_PORT to another port",
            file=sys.stderr,
        )
        sys.exit(2)
    uvicorn.run(
        create_app(definition, settings),
        host=settings.http_host,
        port=settings.port,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=10,
        http=JsonErrorH11Protocol,  # a malformed request gets the JSON error shape too
    )
