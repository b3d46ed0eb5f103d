"""The Markdown report of bench.scale_out (latest.md): the two runs, the CPU per process and of the whole
machine, a warning when other processes disturbed the runs, and what limits the figure on this machine, from
the measured CPU."""

from typing import Any

from devtools.devstack.platform import SERVICES

SERVICE_SATURATED = 0.8  # cores: a service process this busy is near its ceiling
MACHINE_FULL = 95  # % of all cores
OTHERS_NOTICEABLE = 0.2  # cores used by processes outside the benchmark that make a run suspect


def cpu_of_replicas(r: dict[str, Any], name: str) -> str:
    per = r["cpu_s_per_1000"]
    return " + ".join(f"{per[n]:.2f}" for n in (name, f"{name} #2") if n in per)


def run_table(r: dict[str, Any]) -> list[str]:
    name, (one, two) = r["service"], r["runs"]
    lines = [
        f"| replicas of {name} | reports | seconds | reports/s end to end | 2 replicas / 1 | order violations "
        f"(NIPs checked) | missing / duplicate events and notices | {name}: CPU s per 1,000 reports per replica |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for replicas, run_, ratio in ((1, one, ""), (2, two, f"**{r['ratio_2_over_1']:.2f}**")):
        a = run_["audit"]
        lines.append(
            f"| {replicas} | {run_['reports']:,} | {run_['seconds']:.1f} | {run_['per_s']:.1f} | {ratio} | "
            f"{a['order_violations']} ({a['nips_checked']:,}) | {a['missing']} / {a['duplicate']} | "
            f"{cpu_of_replicas(run_, name)} |"
        )
    return lines


def process_table(r: dict[str, Any]) -> list[str]:
    one, two = r["runs"]
    lines = [
        "| process | run 1: CPU s per 1,000 reports | run 1: cores used | run 2: CPU s per 1,000 reports "
        "| run 2: cores used |",
        "| --- | --- | --- | --- | --- |",
    ]
    for n in two["cpu_s_per_1000"]:
        first = f"{one['cpu_s_per_1000'][n]:.2f} | {one['cores_used'][n]:.2f}" if n in one["cpu_s"] else "– | –"
        lines.append(f"| {n} | {first} | {two['cpu_s_per_1000'][n]:.2f} | {two['cores_used'][n]:.2f} |")
    total1, total2 = sum(one["cpu_s_per_1000"].values()), sum(two["cpu_s_per_1000"].values())
    lines.append(
        f"| **total** | **{total1:.2f}** | **{sum(one['cores_used'].values()):.2f}** | **{total2:.2f}** | "
        f"**{sum(two['cores_used'].values()):.2f}** |"
    )
    cpus = r["machine"]["cpus"]
    others = others_cores(r)
    lines.append(f"| other processes on the machine (busy minus the above) | | {others[0]:.2f} | | {others[1]:.2f} |")
    busy = f"{one['machine_busy_pct']:.0f}% | | {two['machine_busy_pct']:.0f}%"
    lines.append(f"| whole machine, busy (% of all {cpus} cores) | | {busy} |")
    return lines


def others_cores(r: dict[str, Any]) -> list[float]:
    """Per run, the cores busy on the machine beyond those the benchmark's processes used."""
    cpus = r["machine"]["cpus"]
    return [x["machine_busy_pct"] / 100 * cpus - sum(x["cores_used"].values()) for x in r["runs"]]


def disturbance(r: dict[str, Any]) -> list[str]:
    """A warning when processes outside the benchmark took a noticeable share of the cores."""
    others = others_cores(r)
    if max(others) < OTHERS_NOTICEABLE:
        return []
    return [
        "",
        f"**Disturbed:** processes outside this benchmark used {others[0]:.2f} / {others[1]:.2f} cores during run 1 "
        "/ run 2; the throughput figures are not comparable. Run again on a quiet machine.",
    ]


def limits(r: dict[str, Any]) -> list[str]:
    """What bounds the figure here, from the measured CPU."""
    name, (one, two) = r["service"], r["runs"]
    cpus = r["machine"]["cpus"]
    total = sum(two["cpu_s_per_1000"].values())
    svc = one["cores_used"][name]
    if svc < SERVICE_SATURATED:
        service = (
            f"far from the one core a Python process can use, so {name} was not what held the pipeline back, "
            "and splitting its partitions between two processes has little to win."
        )
    else:
        service = "close to the one core a Python process can use: a second replica helps only if a core is free."
    busy = [x["machine_busy_pct"] for x in (one, two)]
    idle = (
        ""
        if min(busy) >= MACHINE_FULL
        else (
            " Where the cores were not all busy, the stages wait on one another: a consumer handles a batch, commits "
            "it to the database, and the relay publishes it before the next stage sees it."
        )
    )
    return [
        f"- With one replica, {name} used {svc:.2f} of a core on average, the costliest consumer service "
        f"({one['cpu_s_per_1000'][name]:.2f} CPU s per 1,000 reports) but {service}",
        f"- The whole machine was {busy[0]:.0f}% / {busy[1]:.0f}% busy (run 1 / run 2) over its {cpus} cores, "
        "shared by the broker, the database server, the services and the load generator: a second replica adds a "
        f"process, not a core.{idle}",
        f"- The database server (the Python MongoDB-protocol stand-in: one process, so at most one core) used "
        f"{one['cores_used']['database']:.2f} / {two['cores_used']['database']:.2f} cores (run 1 / run 2) and "
        f"{two['cpu_s_per_1000']['database']:.2f} of the {total:.2f} CPU s per 1,000 reports of all processes in "
        f"run 2, against {two['cpu_s_per_1000'][name]:.2f} + {two['cpu_s_per_1000'][f'{name} #2']:.2f} for the two "
        f"replicas: every replica commits its transactions there. At {total:.2f} CPU s per 1,000 reports, "
        f"{cpus} cores allow at most about {cpus * 1000 / total:.0f} reports/s whatever the number of replicas.",
        *costlier_per_report(r),
        "- Only one replica relays the outbox at a time (a lease in MongoDB), so the second replica adds "
        "consuming and handling, not publishing.",
    ]


def code_text(code: dict[str, Any]) -> str:
    if "commit" not in code:
        return f"Code: {code['root']}."
    changed = f", with uncommitted changes to {', '.join(code['uncommitted'])}" if code["uncommitted"] else ""
    return f"Code: {code['root']} at {code['commit']}{changed}."


def costlier_per_report(r: dict[str, Any]) -> list[str]:
    """Why the same reports cost more CPU with two replicas, if they did: smaller commits."""
    name, (one, two) = r["service"], r["runs"]
    c1, c2 = one["cpu_s_per_1000"], two["cpu_s_per_1000"]
    if sum(c2.values()) <= sum(c1.values()):
        return []
    batch1, batch2 = one["records_per_commit"][name], two["records_per_commit"][name]
    return [
        f"- The same reports cost more CPU with two replicas ({sum(c1.values()):.2f} -> {sum(c2.values()):.2f} CPU s "
        f"per 1,000 reports; database {c1['database']:.2f} -> {c2['database']:.2f}, broker {c1['broker']:.2f} -> "
        f"{c2['broker']:.2f}). Each replica reads half the partitions, so it fetches and commits in smaller "
        f"batches: {batch1:.1f} -> {batch2:.1f} records per {name} outbox commit (one transaction each), and the "
        "database pays per transaction as well as per record. Run 2 also works on a database holding run 1's "
        "documents, a bias against two replicas that a third run would size.",
    ]


def markdown(r: dict[str, Any]) -> str:
    pop, (one, two) = r["population"], r["runs"]
    a2 = two["audit"]
    members = "; ".join(f"`{m['member_id']}` {m['partitions']}" for m in r["group_members"])
    consumed = ", ".join(f"{n} {v:,.0f}" for n, v in two["events_consumed"].items())
    batches = ", ".join(
        f"{n} {one['records_per_commit'][n]:.1f} / {two['records_per_commit'][n]:.1f}" for n in SERVICES
    )
    return "\n".join(
        [
            f"# Scale-out: two replicas of {r['service']} ({r['when']}, {r['machine']['cpus']} CPUs, embedded stack)",
            "",
            f"Population: {pop['agencies']} agencies, {pop['employees']} employees. "
            f"Each run posts its reports through POST /v1/reports/batch (months {one['months']}, then "
            f"{two['months']}) and ends when every report's notifications exist. Replicated service: "
            f"**{r['service']}** ({r['chosen_by']}). {code_text(r['code'])}",
            "",
            *run_table(r),
            "",
            f"Order per NIP: score events, training events and each kind of notice, in outbox `seq` order "
            f"(commit order), follow the months sent; {a2['streams_checked']:,} streams checked in run 2, "
            f"{a2['multi_month_streams']:,} of them with more than one month. Notices stored in run 2: "
            f"{a2['notices_stored']:,} of {a2['notices_expected']:,} expected.",
            "",
            f"Group members in run 2 (static membership: group_instance_id "
            f"{' and '.join(f'`{i}`' for i in r['group_instance_ids'])}): {members}. "
            f"Events consumed per replica during run 2: {consumed}.",
            "",
            f"Records per outbox commit (run 1 / run 2): {batches}.",
            "",
            *process_table(r),
            *disturbance(r),
            "",
            "## What limits the figure on this machine",
            "",
            *limits(r),
            "",
        ]
    )
