"""The README's API examples run unchanged against `make run`'s demo, so the docs cannot rot."""

import re
import shutil
import subprocess
import time

import pytest

from shared.settings import DEFAULT_PORTS

from .launcher import REPO, SERVICES, Launcher

pytestmark = pytest.mark.e2e

STATUS = re.compile(r"^@@HTTP (\d{3})@@$", re.MULTILINE)
# Every curl prints its status on a line of its own, so a 4xx or 5xx cannot pass unseen.
CURL = "curl() { command curl -sS -w '\\n@@HTTP %{http_code}@@\\n' \"$@\"; }\n"


def readme_examples() -> list[str]:
    text = (REPO / "README.md").read_text()
    section = text[text.index("## Using the API") :]
    section = section[: section.index("\n## ", 1)]
    return [block for block in re.findall(r"```bash\n(.*?)```", section, re.DOTALL) if "curl" in block]


def on_ports(block: str, launcher: Launcher) -> str:
    """The README speaks of the default ports; the test's platform runs on free ones."""
    for service in SERVICES:
        block = block.replace(f"localhost:{DEFAULT_PORTS[service]}", launcher.url(service).removeprefix("http://"))
    return block


def run(block: str) -> tuple[list[int], str]:
    result = subprocess.run(["bash", "-e", "-c", CURL + block], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    return [int(s) for s in STATUS.findall(result.stdout)], result.stdout


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed (apt-get install curl)")
def test_the_readme_examples_run_against_the_demo(tmp_path):
    blocks = readme_examples()
    assert len(blocks) == 3, "send a report, read its score and notifications, register an agency"
    launcher = Launcher(tmp_path)
    try:
        launcher.wait_for("Press Ctrl-C", timeout_s=180)
        send, read, register = (on_ports(b, launcher) for b in blocks)

        statuses, output = run(send)
        assert statuses == [202, 200], output
        assert '"reference":"bungo-dinkes/laporan-2026-11-198503122010011002"' in output.replace(" ", "")

        def notified(result: tuple[list[int], str]) -> bool:
            statuses, output = result
            return statuses == [200, 200] and '"about_event_type":"kinerja.score.computed"' in output.replace(" ", "")

        deadline = time.monotonic() + 60  # score and notice come asynchronously: read until both are there
        while not notified(result := run(read)) and time.monotonic() < deadline:
            time.sleep(0.5)
        statuses, output = result
        assert statuses == [200, 200], output
        assert '"predikat"' in output and '"about_event_type":"kinerja.score.computed"' in output.replace(" ", "")

        statuses, output = run(register)
        assert statuses == [201, 200, 200, 202], output
        assert "kin_dev_bungo-diskominfo" in output
    finally:
        assert launcher.stop() == 0, launcher.output()
