import sys

from shared.service import serve

from .app import SERVICE
from .settings import dashboard_settings

# Like the admin token: a session key anyone can read in the source would let anyone forge a sign-in.
if reason := dashboard_settings().unsafe_secret_key():
    print(f"kinerja-dashboard: {reason}", file=sys.stderr)
    sys.exit(2)
serve(SERVICE)
