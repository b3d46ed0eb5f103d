"""MongoDB access through PyMongo's native async client.

Motor reached end of life in May 2026; `AsyncMongoClient` is its supported
successor. Transactions need a replica set (SecantusDB advertises one; mongod
runs with --replSet in compose).
"""

from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, ConnectionFailure, DocumentTooLarge, DuplicateKeyError, PyMongoError

from .settings import ServiceSettings


def connect(settings: ServiceSettings) -> AsyncMongoClient:
    return AsyncMongoClient(
        settings.mongo_uri.get_secret_value(),
        tz_aware=True,
        serverSelectionTimeoutMS=5_000,
        appname=f"kinerja-{settings.service_name}",
    )


def is_infrastructure_error(exc: BaseException) -> bool:
    """True when the database, not the event, is the problem: retry, never dead-letter."""
    if isinstance(exc, ConnectionFailure):
        return True
    if isinstance(exc, PyMongoError):
        return exc.has_error_label("TransientTransactionError") or exc.has_error_label("UnknownTransactionCommitResult")
    return False


# TransactionTooLarge, TransactionTooLargeForCache, BSONObjectTooLarge: mongod's (and SecantusDB's) answers to a
# transaction whose writes do not fit; retrying the same transaction would meet the same wall.
TOO_LARGE_CODES = frozenset({257, 388, 10334})


def is_too_large(exc: BaseException) -> bool:
    """True when the transaction is too large for the server: commit its work in smaller parts."""
    if isinstance(exc, DocumentTooLarge):
        return True
    if isinstance(exc, BulkWriteError):
        return any(error.get("code") in TOO_LARGE_CODES for error in exc.details.get("writeErrors", []))
    return isinstance(exc, PyMongoError) and getattr(exc, "code", None) in TOO_LARGE_CODES


def is_duplicate_key(exc: BaseException) -> bool:
    """Someone else already wrote this: for a consumer, another replica processed the event."""
    if isinstance(exc, DuplicateKeyError):
        return True
    if isinstance(exc, BulkWriteError):
        return any(error.get("code") == 11000 for error in exc.details.get("writeErrors", []))
    return False


async def ping(db: AsyncDatabase) -> bool:
    try:
        await db.command("ping")
    except PyMongoError:
        return False
    return True
