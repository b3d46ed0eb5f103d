"""`make run`'s launcher: the embedded stack, four services and the demo, stopped cleanly by SIGTERM."""

import os
import socket
import subprocess
import sys
import time

import pytest
from pymongo import MongoClient

from devtools.devstack.demo_data import AGENCIES
from devtools.devstack.processes import free_port

from .launcher import Launcher

pytestmark = pytest.mark.e2e


def test_run_brings_the_platform_up_loads_the_demo_and_stops_cleanly(tmp_path):
    launcher = Launcher(tmp_path)
    try:
        banner = launcher.wait_for("Press Ctrl-C", timeout_s=180)
        assert "demo loaded" in banner
        assert f"{launcher.url('intake')}/docs" in banner
        assert f"127.0.0.1:{launcher.ports['KINERJA_KAFKA_PORT']}" in banner
        for agency in AGENCIES:  # development keys, the same at every start
            assert f"kin_dev_{agency['agency_id']}" in banner
        assert f"curl -s -XPOST {launcher.url('intake')}/v1/reports" in banner

        employees = [e for agency in AGENCIES for e in agency["employees"]]
        expected = len(employees) + sum(1 for *_, atasan in employees if atasan)  # score notices (+ atasan)
        with MongoClient(launcher.mongo_uri) as client:
            notifications = client["kinerja_notification"]["notifications"]
            # People's score notices; coaching and the agency's own inbox (its curve) may add others.
            personal = {"recipient_role": {"$in": ["pegawai", "atasan"]}, "about_event_type": "kinerja.score.computed"}
            deadline = time.monotonic() + 90
            while notifications.count_documents(personal) < expected and time.monotonic() < deadline:
                time.sleep(0.25)
            assert notifications.count_documents(personal) == expected
            assert set(notifications.distinct("recipient_nip", {"recipient_role": "pegawai"})) == {
                e[0] for e in employees
            }
    finally:
        assert launcher.stop() == 0, launcher.output()
    assert not launcher.open_ports(), "a child process outlived the launcher"


def test_a_taken_port_gets_a_clear_message_not_a_traceback(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {**os.environ, "KINERJA_KAFKA_PORT": str(port), "KINERJA_MONGO_PORT": str(free_port())}
        result = subprocess.run(
            [sys.executable, "-m", "devtools.devstack.cli", "stack", "--data-dir", str(tmp_path)],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 2
    assert f"127.0.0.1:{port} is already in use" in result.stderr
    assert "KINERJA_KAFKA_PORT" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
