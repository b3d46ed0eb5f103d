"""Channel adapters: each sends one delivery, or raises DeliveryFailed saying whether trying again can help.

They know nothing of retries, leases or the database; the delivery worker does (delivery_worker.py).
"""

from .email import EmailChannel
from .webhook import WebhookChannel

__all__ = ["EmailChannel", "WebhookChannel"]
