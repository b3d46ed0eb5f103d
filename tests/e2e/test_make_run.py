"""`make run`'s launcher: the embedded stack, the services and the demo, stopped cleanly by SIGTERM; started again
on the same data, it loads nothing twice."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from functools import partial

import httpx
import pytest
from pymongo import MongoClient

from devtools.devstack.demo_year import build_demo, months_to_report, today_in_wib
from devtools.devstack.processes import free_port

from .launcher import Launcher

pytestmark = pytest.mark.e2e


def wait(probe: Callable[[], object], timeout_s: float, what: str) -> object:
    deadline = time.monotonic() + timeout_s
    while not (last := probe()) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert last, f"{what} not reached within {timeout_s}s (last: {last!r})"
    return last


def test_run_brings_the_platform_up_loads_the_demo_and_stops_cleanly(tmp_path, monkeypatch):
    monkeypatch.setenv("KINERJA_SMTP_PORT", str(free_port()))  # not 1025, which another `make run` may hold
    months = months_to_report(today_in_wib())
    demo = build_demo(months)
    launcher = Launcher(tmp_path)
    try:
        banner = launcher.wait_for("Press Ctrl-C", timeout_s=240)
        assert f"demo loaded: {len(demo)} agencies" in banner
        assert f"{launcher.url('intake')}/docs" in banner
        assert f"127.0.0.1:{launcher.ports['KINERJA_KAFKA_PORT']}" in banner
        for agency in demo:  # development keys, the same at every start
            assert f"kin_dev_{agency.agency.agency_id}" in banner
        assert f"curl -s -XPOST {launcher.url('intake')}/v1/reports" in banner
        _the_pipeline_handled_every_report(launcher, demo)
        _one_agency_breaks_its_curve(launcher, demo, months[-1])
    finally:
        assert launcher.stop() == 0, launcher.output()
    assert not launcher.open_ports(), "a child process outlived the launcher"

    again = Launcher(tmp_path)  # the same data directory
    try:
        banner = again.wait_for("Press Ctrl-C", timeout_s=240)
        assert banner.count(" reports (0 sent now)") == len(demo), banner  # each agency's line
    finally:
        assert again.stop() == 0, again.output()
    assert not again.open_ports(), "a child process outlived the launcher"


def _the_pipeline_handled_every_report(launcher: Launcher, demo) -> None:
    """Every report scored and its score told to the employee and (when there is one) the atasan, once."""
    atasan = {e["nip"]: e["atasan_nip"] for agency in demo for e in agency.employees}
    reports = [r for agency in demo for month in agency.reports.values() for r in month]
    expected = len(reports) + sum(1 for r in reports if atasan[r["nip"]])
    with MongoClient(launcher.mongo_uri) as client:
        notifications = client["kinerja_notification"]["notifications"]
        # People's score notices; coaching, reminders and the agency's own inbox (its curve) may add others.
        personal = {"recipient_role": {"$in": ["pegawai", "atasan"]}, "about_event_type": "kinerja.score.computed"}
        wait(lambda: notifications.count_documents(personal) >= expected, 240, f"{expected} score notices")
        assert notifications.count_documents(personal) == expected
        assert set(notifications.distinct("recipient_nip", {"recipient_role": "pegawai"})) == set(atasan)


def _one_agency_breaks_its_curve(launcher: Launcher, demo, month: int) -> None:
    period_id = f"2026-{month:02d}"

    def evaluated(agency) -> dict | None:
        """The month's distribution once it counts every report: scoring evaluates it in the background."""
        agency_id = agency.agency.agency_id
        response = httpx.get(
            f"{launcher.url('scoring')}/v1/agencies/{agency_id}/distributions/{period_id}",
            headers={"Authorization": f"Bearer kin_dev_{agency_id}"},
        )
        if response.status_code == 200 and response.json()["overall"]["employees"] == len(agency.reports[month]):
            return response.json()
        return None

    for agency in demo:
        distribution = wait(partial(evaluated, agency), 60, f"{agency.agency.agency_id}'s distribution of {period_id}")
        assert (distribution["violations"] > 0) is agency.agency.breaks_curve, distribution["checks"]
        assert distribution["organisation_predikat"] == agency.agency.organisation_predikat


def test_a_taken_port_gets_a_clear_message_not_a_traceback(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {**os.environ, "KINERJA_KAFKA_PORT": str(port), "KINERJA_MONGO_PORT": str(free_port())}
        result = subprocess.run(
            [sys.executable, "-m", "devtools.cli", "stack", "--data-dir", str(tmp_path)],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 2
    assert f"127.0.0.1:{port} is already in use" in result.stderr
    assert "KINERJA_KAFKA_PORT" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
