"""The results files of bench.pipeline: latest.json as indented text (lists of numbers on one line),
latest.md (the platform / bare table, the population, CPU, memory and py-spy tables) and latest.png
(saturated throughput and the latency CDFs, platform beside bare, drawn with matplotlib if installed)."""

import json
import re
from pathlib import Path
from typing import Any

DOOR_NAMES = {
    "upload": "through the SKP upload (POST /v1/uploads/skp, a CSV file per agency)",
    "put": "by one PUT /v1/skp/{skp_id} each",
}
PLATFORM_COLOUR, BARE_COLOUR = "tab:blue", "tab:gray"


def population_text(pop: dict[str, Any]) -> str:
    if "skp_rows_per_plan" not in pop:  # results from before the varied plans, for --redraw
        return f"Population: {pop['agencies']} agencies, {pop['employees']} employees, {pop['skp_rows']}-row SKP plans."
    sizes = pop["skp_rows_per_plan"]
    kinds = ", ".join(f"{count:,} {name}" for name, count in pop["skp_row_kinds"].items())
    return (
        f"Population: {pop['agencies']} agencies, {pop['employees']:,} employees ({pop['supervisors']:,} of them "
        f"supervisors), one SKP plan each of {sizes['min']}-{sizes['max']} rows (mean {sizes['mean']:.1f}; rows: "
        f"{kinds}). Set up in {pop['setup_s']:.1f} s (employees by POST /v1/employees/batch, plans "
        f"{DOOR_NAMES[pop['skp_door']]}, {pop['setup_workers']} clients); published and taken in by the consumers "
        f"after {pop['ready_s']:.1f} s."
    )


def markdown(r: dict[str, Any]) -> str:
    p, b, ratio = r["platform"], r["bare"], r["ratio_platform_over_bare"]
    ps, bs, pl, bl = p["saturated"], b["saturated"], p["latency"], b["latency"]
    lines = [
        f"# Pipeline vs bare I/O ({r['when']}, {r['machine']['cpus']} CPUs, embedded stack)",
        "",
        population_text(r["population"]),
        "",
        f"Bare record values: {r['bare_payload_bytes']} bytes of event JSON.",
        "",
        "| | platform | bare | platform / bare |",
        "| --- | --- | --- | --- |",
        f"| saturated: reports | {ps['reports']:,} | {bs['reports']:,} | |",
        f"| saturated: seconds to the last notification / last stage | {ps['seconds']:.1f} | {bs['seconds']:.1f} | |",
        f"| saturated: reports/s end to end | {ps['per_s']:.0f} | {bs['per_s']:.0f} | **{ratio['throughput']:.2f}** |",
    ]
    for k in ("p50_s", "p95_s", "p99_s"):
        lines.append(
            f"| latency at {pl['rate']:.0f}/s: {k[:3]} (ms) | {pl[k] * 1000:.0f} | {bl[k] * 1000:.0f} | "
            f"**{ratio[k]:.2f}** |"
        )
    lines += [
        f"| latency: median of the first / last quarter of the sends (ms) | "
        f"{pl['first_quarter_p50_s'] * 1000:.0f} / {pl['last_quarter_p50_s'] * 1000:.0f} | "
        f"{bl['first_quarter_p50_s'] * 1000:.0f} / {bl['last_quarter_p50_s'] * 1000:.0f} | |",
        f"| latency: rate actually offered (reports/s) | {pl['offered_per_s']:.1f} | {bl['offered_per_s']:.1f} | |",
    ]
    lines += [
        "",
        f"Platform, saturated run ({ps['reports']:,} reports; "
        f"intake accepted them all in {ps['intake_accept_s']:.1f} s):",
        "",
        "| process | CPU s per 1,000 reports | peak RSS (MB, VmHWM) | idle CPU (% of a core, 10 s) |",
        "| --- | --- | --- | --- |",
    ]
    for name, per in ps["cpu_s_per_1000"].items():
        lines.append(f"| {name} | {per:.2f} | {ps['peak_rss_mb'][name]:.0f} | {r['idle_cpu_pct'][name]:.1f} |")
    lines.append(f"| **total** | **{sum(ps['cpu_s_per_1000'].values()):.2f}** | | |")
    lines += ["", "Bare, saturated run:", "", "| process | CPU s per 1,000 reports | peak RSS (MB, VmHWM) |"]
    lines.append("| --- | --- | --- |")
    for name, per in bs["cpu_s_per_1000"].items():
        rss = bs["peak_rss_mb"].get(name)
        lines.append(f"| {name} | {per:.2f} | {'' if rss is None else f'{rss:.0f}'} |")
    lines.append(f"| **total** | **{sum(bs['cpu_s_per_1000'].values()):.2f}** | |")
    for name, top in r.get("profile_pct_of_busy_samples", {}).items():
        for kind in ("self", "inclusive"):
            lines += ["", f"py-spy, {name}, {kind} (% of busy samples during the saturated run):", ""]
            lines += [f"- {pct:.1f}% `{frame}`" for pct, frame in top.get(kind, [])]
    return "\n".join(lines) + "\n"


def chart(r: dict[str, Any], path: Path) -> str:
    """Saturated throughput and the distribution of latencies at the offered rate, platform beside bare."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from matplotlib import ticker
    except ImportError:
        return "no PNG: matplotlib is not installed (pip install -e '.[dev]')"
    p, b = r["platform"], r["bare"]
    if "distribution_ms" not in p["latency"] or "distribution_ms" not in b["latency"]:
        return "no PNG: these results have no latency distribution (a run before it was recorded)"
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 5.4), gridspec_kw={"width_ratios": [1, 2.2]})
    throughput_panel(left, p["saturated"], b["saturated"])
    latency_panel(right, p["latency"], b["latency"])
    right.xaxis.set_major_locator(ticker.LogLocator(subs=(1, 2, 5)))
    right.xaxis.set_major_formatter(ticker.FuncFormatter(lambda value, _: f"{value:,.0f}"))
    right.xaxis.set_minor_formatter(ticker.NullFormatter())
    pop = r["population"]
    fig.suptitle(
        f"Kinerja pipeline vs bare I/O: {pop['agencies']} agencies, {pop['employees']:,} employees, "
        f"{r['machine']['cpus']} CPUs, embedded stack ({r['when']})"
    )
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return str(path)


def throughput_panel(ax, platform: dict[str, Any], bare: dict[str, Any]) -> None:
    bars = ax.bar(["platform", "bare"], [platform["per_s"], bare["per_s"]], color=[PLATFORM_COLOUR, BARE_COLOUR])
    ax.bar_label(bars, fmt="%.0f")
    ax.set_ylabel("reports/s, first POST to last notification")
    ax.set_title(f"saturated: {platform['reports']:,} reports in batches")


def latency_panel(ax, platform: dict[str, Any], bare: dict[str, Any]) -> None:
    """CDFs on a log axis: the two pipelines' latencies differ by an order of magnitude, tails included."""
    for name, lat, colour in (("platform", platform, PLATFORM_COLOUR), ("bare", bare, BARE_COLOUR)):
        values = lat["distribution_ms"]
        percent = [100 * i / max(1, len(values) - 1) for i in range(len(values))]
        label = f"{name}: p50 {lat['p50_s'] * 1000:.0f} ms, p95 {lat['p95_s'] * 1000:.0f} ms, "
        label += f"p99 {lat['p99_s'] * 1000:.0f} ms"
        ax.plot(values, percent, color=colour, label=label, linewidth=2)
    for level in (50, 95, 99):
        ax.axhline(level, color="0.8", linewidth=0.8, zorder=0)
    ax.set_xscale("log")
    ax.set_xlabel("end-to-end latency per report (ms, log scale)")
    ax.set_ylabel("% of reports at or under")
    ax.set_ylim(0, 100.5)
    ax.set_title(f"latency: {platform['reports']:,} reports offered at {platform['rate']:.0f}/s, one per request")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), frameon=False)  # under the axes: curves go anywhere
    ax.grid(True, which="major", axis="x", color="0.9")


def json_text(result: dict[str, Any]) -> str:
    """Indented JSON with every list of numbers on one line: the latency distributions stay readable."""
    text = json.dumps(result, indent=2)
    return re.sub(r"\[[\s\d.,eE+-]*\]", lambda m: "[" + " ".join(m[0][1:-1].split()) + "]", text) + "\n"
