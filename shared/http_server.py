"""The HTTP/1.1 protocol every service runs: uvicorn's h11 one, answering malformed requests in our error shape.

uvicorn refuses a request head it cannot parse (`Content-Length: -1`, two
different Content-Length headers, a Transfer-Encoding other than chunked, a
broken request line) before the application sees it, with a plain-text 400.
Here the answer is the common JSON error body, code `bad_request`, so a
caller's error handling needs one format only.

h11 (pure Python) is used rather than whichever parser uvicorn would pick, so
the answer does not change when httptools happens to be installed.
"""

import json

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from shared.http_errors import error_body

BAD_REQUEST_CODE = "bad_request"
BAD_REQUEST_MESSAGE = (
    "Permintaan HTTP tidak valid; periksa baris permintaan dan header Content-Length serta Transfer-Encoding"
)
_BODY = json.dumps(error_body(BAD_REQUEST_CODE, BAD_REQUEST_MESSAGE), ensure_ascii=False).encode("utf-8")


class JsonErrorH11Protocol(H11Protocol):
    """uvicorn's h11 protocol; only the answer to a request it cannot parse differs."""

    def send_400_response(self, msg: str) -> None:
        # `msg` is uvicorn's English text (already logged by uvicorn): the caller gets ours.
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(_BODY)).encode("ascii")),
            (b"connection", b"close"),
        ]
        for event in (
            h11.Response(status_code=400, headers=headers, reason=b"Bad Request"),
            h11.Data(data=_BODY),
            h11.EndOfMessage(),
        ):
            self.transport.write(self.conn.send(event))
        self.transport.close()
