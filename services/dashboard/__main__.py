from shared.service import serve

from .app import SERVICE

serve(SERVICE)
