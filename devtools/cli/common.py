"""What every command shares: where the platform is, how it is called, and how a failure is told in one line.

Services are found at http://127.0.0.1:<default port> unless `--<service>-url` or KINERJA_<SERVICE>_URL says
otherwise; a KINERJA_<SERVICE>_PORT set for `kinerja run` is followed too, so one environment serves both.
The admin token is read only from KINERJA_ADMIN_TOKEN (an option would leave it in the shell's history and
in `ps`), and it is never printed.
"""

import asyncio
import functools
import os
from collections.abc import Callable, Coroutine
from typing import Annotated, Any, NoReturn, ParamSpec, TypeVar

import httpx
import typer
from rich.console import Console
from rich.progress import Progress, ProgressColumn

from shared.settings import DEFAULT_PORTS, DEV_ADMIN_TOKEN

T = TypeVar("T")
P = ParamSpec("P")

# No markup: what is printed comes from the platform (headers, events, messages) and is shown as it is.
out = Console(highlight=False, markup=False)
err = Console(stderr=True, highlight=False, markup=False)

HTTP_TIMEOUT_S = 30.0
SERVICES = tuple(DEFAULT_PORTS)


class CliError(Exception):
    """A failure told as one line on stderr, `error: ...`, with the command's exit code (2 unless said)."""

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.message, self.exit_code = message, exit_code


def reported(command: Callable[P, None]) -> Callable[P, None]:
    """The command with its CliError told in one line and turned into its exit code."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> None:
        try:
            command(*args, **kwargs)
        except CliError as exc:
            err.print(f"error: {exc.message}", soft_wrap=True)
            raise typer.Exit(exc.exit_code) from None

    return wrapper


def progress(*columns: ProgressColumn | str) -> Progress:
    """A progress display on stderr while the work lasts; none when stderr is not a terminal (a pipe, a log)."""
    return Progress(*columns, console=err, transient=True, disable=not err.is_terminal)


def fail(message: str, exit_code: int = 2) -> NoReturn:
    raise CliError(message, exit_code)


def default_url(service: str) -> str:
    port = os.environ.get(f"KINERJA_{service.upper()}_PORT", str(DEFAULT_PORTS[service]))
    return f"http://127.0.0.1:{port}"


def default_kafka() -> str:
    return os.environ.get("KINERJA_KAFKA_BOOTSTRAP") or f"127.0.0.1:{os.environ.get('KINERJA_KAFKA_PORT', '9092')}"


def _url_option(service: str) -> Any:
    return typer.Option(
        f"--{service}-url",
        envvar=f"KINERJA_{service.upper()}_URL",
        default_factory=lambda: default_url(service),
        show_default=f"http://127.0.0.1:{DEFAULT_PORTS[service]}",
        help=f"The {service} service's base URL",
    )


IntakeUrl = Annotated[str, _url_option("intake")]
ScoringUrl = Annotated[str, _url_option("scoring")]
TrainingUrl = Annotated[str, _url_option("training")]
NotificationUrl = Annotated[str, _url_option("notification")]
DashboardUrl = Annotated[str, _url_option("dashboard")]
Kafka = Annotated[
    str,
    typer.Option(
        "--kafka",
        envvar="KINERJA_KAFKA_BOOTSTRAP",
        default_factory=default_kafka,
        show_default="127.0.0.1:9092",
        help="Kafka bootstrap servers, comma separated",
    ),
]
GroupPrefix = Annotated[
    str,
    typer.Option("--group-prefix", envvar="KINERJA_GROUP_PREFIX", help="Consumer groups are <prefix>-<service>"),
]
AgencyKey = Annotated[
    str | None,
    typer.Option("--key", envvar="KINERJA_API_KEY", show_default=False, help="The agency's API key"),
]


def agency_key(key: str | None) -> str:
    if not key:
        fail("this command acts as an agency: give its API key with --key or KINERJA_API_KEY")
    return key


def admin_token() -> str:
    """KINERJA_ADMIN_TOKEN, else the development token `make run` starts the services with."""
    return os.environ.get("KINERJA_ADMIN_TOKEN") or DEV_ADMIN_TOKEN


class Service:
    """One service's HTTP API; every failure becomes a CliError naming the service and what it said."""

    def __init__(self, name: str, url: str, token: str | None, credential: str = "--key / KINERJA_API_KEY") -> None:
        self.name, self.url = name, url.rstrip("/")
        self.credential = credential
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.client = httpx.Client(base_url=self.url, headers=headers, timeout=HTTP_TIMEOUT_S)

    @classmethod
    def as_admin(cls, name: str, url: str) -> "Service":
        return cls(name, url, admin_token(), credential="KINERJA_ADMIN_TOKEN")

    def __enter__(self) -> "Service":
        return self

    def __exit__(self, *_: object) -> None:
        self.client.close()

    def call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        """The JSON answer of a request that succeeded."""
        try:
            response = self.client.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            fail(self.transport_problem(exc))
        if response.is_error:
            fail(self.refusal(response))
        try:
            return response.json()
        except ValueError:
            fail(f"{self.name} at {self.url} answered {response.status_code} with something that is not JSON")

    def transport_problem(self, exc: httpx.HTTPError) -> str:
        if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout):
            return (
                f"{self.name} is unreachable at {self.url} (is the platform running? "
                f"--{self.name}-url or KINERJA_{self.name.upper()}_URL points elsewhere)"
            )
        if isinstance(exc, httpx.TimeoutException):
            return f"{self.name} at {self.url} did not answer within {HTTP_TIMEOUT_S:g} s"
        if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
            return f"{self.name}'s URL {self.url!r} is not an http(s) address"
        return f"{self.name} at {self.url}: {type(exc).__name__}: {exc}"

    def refusal(self, response: httpx.Response) -> str:
        """`<service> refused (<status> <code>): <message>`, the service's own words (Bahasa Indonesia)."""
        try:
            error = response.json()["error"]
            code, message = error["code"], error["message"]
            details = "; ".join(f"{d.get('field')}: {d.get('message')}" for d in error.get("details", [])[:3])
        except (ValueError, KeyError, TypeError):
            code, message, details = "", response.text[:200] or response.reason_phrase, ""
        line = f"{self.name} refused ({response.status_code} {code}".rstrip() + f"): {message}"
        if details:
            line += f" ({details})"
        if response.status_code == 401:
            line += f"; check {self.credential}"
        return line


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coroutine)
