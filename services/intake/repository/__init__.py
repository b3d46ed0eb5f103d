"""Intake's collections and the named queries over them, one module per concern.

Routes and handlers never touch `db[...]`: they call these.
"""

from pymongo.asynchronous.database import AsyncDatabase

from .keys import setup_api_key_indexes
from .periods import setup_period_indexes
from .records import setup_record_indexes
from .uploads import setup_upload_indexes


async def setup_indexes(db: AsyncDatabase) -> None:
    await setup_record_indexes(db)
    await setup_api_key_indexes(db)
    await setup_period_indexes(db)
    await setup_upload_indexes(db)
