"""py-spy on running processes while a block of the benchmark runs, and the functions that took the samples."""

import re
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path


class profiled:
    """py-spy on the given processes while the block runs (collapsed stacks in `out`/<process>.txt)."""

    def __init__(self, pids: dict[str, int], out: Path | None) -> None:
        self.pids, self.out, self.spies = pids, out, {}
        self.spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
        self.top: dict[str, dict[str, list[tuple[float, str]]]] = {}

    def __enter__(self) -> "profiled":
        if self.out is None:
            return self
        if not Path(self.spy).exists():
            print("py-spy is not installed: not profiling", flush=True)
            self.out = None
            return self
        self.out.mkdir(parents=True, exist_ok=True)
        for name, pid in self.pids.items():
            argv = [self.spy, "record", "--pid", str(pid), "--rate", "100", "--format", "raw", "--nonblocking"]
            argv += ["-o", str(self.out / f"{name}.txt")]
            self.spies[name] = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(1.5)  # attached before the work starts
        return self

    def __exit__(self, *_: object) -> None:
        for spy in self.spies.values():
            spy.send_signal(signal.SIGINT)  # py-spy writes its output on SIGINT
        for name, spy in self.spies.items():
            try:
                spy.wait(timeout=30)
            except subprocess.TimeoutExpired:
                spy.kill()
                spy.wait()
            self.top[name] = top_functions(self.out / f"{name}.txt")


def top_functions(path: Path, count: int = 10) -> dict[str, list[tuple[float, str]]]:
    """Share of busy samples per function, self and inclusive (line numbers dropped), from collapsed stacks."""
    if not path.exists():
        return {}
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, samples_ = line.rpartition(" ")
        if not stack or not samples_.isdigit():
            continue
        frames = [re.sub(r":\d+\)$", ")", f) for f in stack.split(";")[1:]]  # the first names the thread
        if not frames or re.search(r"(^|\.)(select|poll|_run_once|wait|sleep) \(", frames[-1]):
            continue  # waiting, not working
        total += int(samples_)
        own[frames[-1]] += int(samples_)
        for frame in set(frames):
            inclusive[frame] += int(samples_)
    own_code = re.compile(r"\((services|shared|bench|secantus)/")  # inclusive: the project's (and the server's) code
    return {
        "busy_samples": [[float(total), "samples"]],
        "self": [(100 * n / max(total, 1), f) for f, n in own.most_common(count)],
        "inclusive": [(100 * n / max(total, 1), f) for f, n in inclusive.most_common() if own_code.search(f)][:count],
    }


def print_top(name: str, top: dict[str, list[tuple[float, str]]]) -> None:
    if not top:
        print(f"py-spy wrote no profile for {name}")
        return
    print(f"\npy-spy, {name}: {int(top['busy_samples'][0][0])} busy samples")
    for title in ("self", "inclusive"):
        print(f"  top {title}:")
        for share, frame in top[title]:
            print(f"    {share:5.1f}%  {frame}")
