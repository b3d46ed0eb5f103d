"""`kinerja run`: the whole platform on the embedded stack; `kinerja stack`: infrastructure only."""

import argparse
import asyncio
import os
import signal
import sys
import threading
from pathlib import Path

from shared.kafka_admin import ensure_topics
from shared.settings import DEFAULT_PORTS

from .embedded import EmbeddedStack
from .platform import SERVICES, Platform
from .processes import PortInUseError


def _port(env_var: str, default: int) -> int:
    raw = os.environ.get(env_var, str(default))
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        sys.exit(f"{env_var} must be a TCP port number, got {raw!r}")
    return int(raw)


def _wait_for_signal() -> None:
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()


def _banner(stack: EmbeddedStack, platform: Platform | None, data_dir: Path) -> str:
    lines = ["", "Kinerja is up.", ""]
    if platform:
        for name in SERVICES:
            url = platform.url(name)
            lines.append(f"  {name:<13} {url}/docs   (AsyncAPI: {url}/asyncapi, metrics: {url}/metrics)")
        lines.append("")
    lines += [
        f"  Kafka broker  {stack.kafka_bootstrap}",
        f"  MongoDB       {stack.mongo_uri}",
        f"  data and logs {data_dir}",
        "",
        "Press Ctrl-C to stop everything.",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kinerja", description=__doc__)
    parser.add_argument("command", choices=["run", "stack"], help="run: platform + demo; stack: broker and database")
    parser.add_argument("--no-demo", action="store_true", help="do not load the demo data")
    parser.add_argument("--data-dir", default=os.environ.get("KINERJA_DATA_DIR", ".kinerja-data"))
    args = parser.parse_args(argv)

    data_dir = Path(args.data_dir).resolve()
    stack = EmbeddedStack(data_dir, _port("KINERJA_KAFKA_PORT", 9092), _port("KINERJA_MONGO_PORT", 27017))
    ports = {name: _port(f"KINERJA_{name.upper()}_PORT", DEFAULT_PORTS[name]) for name in SERVICES}
    platform = None
    try:
        print("starting Kafka broker and MongoDB server ...", flush=True)
        stack.start()
        asyncio.run(ensure_topics(stack.kafka_bootstrap, int(os.environ.get("KINERJA_TOPIC_PARTITIONS", "6"))))
        if args.command == "run":
            platform = Platform(stack.kafka_bootstrap, stack.mongo_uri, data_dir / "logs", ports)
            print("starting intake, scoring, training, notification ...", flush=True)
            platform.start()
            if not args.no_demo:
                from .demo import load_demo

                print(load_demo(platform.url("intake")), flush=True)
        print(_banner(stack, platform, data_dir), flush=True)
        _wait_for_signal()
    except PortInUseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (TimeoutError, RuntimeError) as exc:
        print(f"error: {exc}\nlogs are in {data_dir / 'logs'}", file=sys.stderr)
        return 1
    finally:
        print("stopping ...", flush=True)
        if platform:
            platform.stop()
        stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
