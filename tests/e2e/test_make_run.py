"""`make run`'s launcher: the embedded stack, four services and the demo, stopped cleanly by SIGTERM."""

import os
import signal
import socket
import subprocess
import sys
import time

import pytest
from pymongo import MongoClient

from shared.devstack.demo_data import AGENCIES
from shared.devstack.processes import free_port, port_open

pytestmark = pytest.mark.e2e

SERVICES = ("intake", "scoring", "training", "notification")


def _read_until(process: subprocess.Popen, marker: str, timeout_s: float) -> str:
    output, deadline = [], time.monotonic() + timeout_s
    os.set_blocking(process.stdout.fileno(), False)
    while time.monotonic() < deadline and process.poll() is None:
        line = process.stdout.readline()
        if line:
            output.append(line)
            if marker in line:
                return "".join(output)
        else:
            time.sleep(0.1)
    raise AssertionError(f"{marker!r} not printed within {timeout_s}s:\n{''.join(output)}")


def test_run_brings_the_platform_up_loads_the_demo_and_stops_cleanly(tmp_path):
    ports = {f"KINERJA_{name.upper()}_PORT": free_port() for name in ("kafka", "mongo", *SERVICES)}
    env = {**os.environ, **{k: str(v) for k, v in ports.items()}, "KINERJA_DATA_DIR": str(tmp_path / "data")}
    process = subprocess.Popen(
        [sys.executable, "-m", "shared.devstack.cli", "run"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        banner = _read_until(process, "Press Ctrl-C", timeout_s=180)
        assert "demo loaded" in banner
        assert f"http://127.0.0.1:{ports['KINERJA_INTAKE_PORT']}/docs" in banner
        assert f"127.0.0.1:{ports['KINERJA_KAFKA_PORT']}" in banner

        employees = [e for agency in AGENCIES for e in agency["employees"]]
        expected = 2 * len(employees) + sum(1 for *_, atasan in employees if atasan)  # score + training (+ atasan)
        with MongoClient(f"mongodb://127.0.0.1:{ports['KINERJA_MONGO_PORT']}/") as client:
            notifications = client["kinerja_notification"]["notifications"]
            deadline = time.monotonic() + 90
            while notifications.count_documents({}) < expected and time.monotonic() < deadline:
                time.sleep(0.25)
            assert notifications.count_documents({}) == expected
            assert set(notifications.distinct("recipient_nip", {"recipient_role": "pegawai"})) == {
                e[0] for e in employees
            }
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0
    assert not any(port_open("127.0.0.1", port) for port in ports.values()), "a child process outlived the launcher"


def test_a_taken_port_gets_a_clear_message_not_a_traceback(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {**os.environ, "KINERJA_KAFKA_PORT": str(port), "KINERJA_MONGO_PORT": str(free_port())}
        result = subprocess.run(
            [sys.executable, "-m", "shared.devstack.cli", "stack", "--data-dir", str(tmp_path)],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 2
    assert f"127.0.0.1:{port} is already in use" in result.stderr
    assert "KINERJA_KAFKA_PORT" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
