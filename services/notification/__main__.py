import sys

from shared.service import serve

from .app import SERVICE
from .wiring import notification_settings

# Like the admin token: a secret key anyone can read in the source would decrypt every webhook secret.
if reason := notification_settings().unsafe_secret_key():
    print(f"kinerja-notification: {reason}", file=sys.stderr)
    sys.exit(2)
serve(SERVICE)
