"""Our budgeting rules against pabutools 1.2.3 on the five largest shared elections (by voters).

Run by hand (it takes most of an hour; pabutools is the slow part):
    python benchmarks/budgeting_vs_pabutools.py [--rules mes,greedy] [DATA_DIR]
--rules runs only those rules (the mes rows alone take about five minutes).
Each pabutools call runs in its own subprocess, capped at 120 s (reported as >120), on the
profile expected.json describes; ours runs in this process. Outcomes must be identical.
With `mes` among the rules, it also times ours alone on every shared instance (the target is
under 2 s on each), checking each outcome against the one expected.json records.
The machine's speed moves by up to three times within an hour, so it times a pure-Python loop
before and after, to compare this run with runs at other moments.
Prints the tables, then one line of name=value pairs.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

from commonweal.budgeting import engine
from commonweal.budgeting.engine.rules import RULES

DATA = Path(__file__).resolve().parents[2] / "shared/data/pabulib"
CAP_SECONDS = 120
RULE_NAMES = ["mes", "mes-exhaust", "mes-plain", "phragmen", "greedy", "greedy-per-cost"]

# The pabutools call behind each rule, as expected.json records it; run in a subprocess.
PABUTOOLS = """
import json, sys, time
from pabutools.election import parse_pabulib, ApprovalProfile, ApprovalBallot, Cost_Sat, Cardinality_Sat
from pabutools.rules import (completion_by_rule_combination, exhaustion_by_budget_increase,
    greedy_utilitarian_welfare, method_of_equal_shares, sequential_phragmen)
instance, profile = parse_pabulib(sys.argv[1])
vote_type = instance.meta.get("vote_type")
if vote_type not in ("approval", "choose-1"):
    profile = ApprovalProfile([ApprovalBallot(p for p in b if vote_type != "cumulative" or b[p] > 0)
                               for b in profile], instance=instance)
profile = profile.as_multiprofile()
calls = {
    "mes": lambda: completion_by_rule_combination(instance, profile,
        [method_of_equal_shares, greedy_utilitarian_welfare],
        [{"sat_class": Cost_Sat, "voter_budget_increment": 1}, {"sat_class": Cost_Sat}]),
    "mes-exhaust": lambda: completion_by_rule_combination(instance, profile,
        [exhaustion_by_budget_increase, greedy_utilitarian_welfare],
        [{"rule": method_of_equal_shares, "rule_params": {"sat_class": Cost_Sat}},
         {"sat_class": Cost_Sat}]),
    "mes-plain": lambda: method_of_equal_shares(instance, profile, sat_class=Cost_Sat),
    "phragmen": lambda: sequential_phragmen(instance, profile),
    "greedy": lambda: greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat),
    "greedy-per-cost": lambda: greedy_utilitarian_welfare(instance, profile, sat_class=Cardinality_Sat),
}
start = time.perf_counter()
outcome = calls[sys.argv[2]]()
print(json.dumps({"seconds": time.perf_counter() - start, "funded": [p.name for p in outcome]}))
"""


def pabutools(path: Path, rule: str) -> tuple[float | None, list[str] | None]:
    """(seconds, funded) of the pabutools call, or (None, None) past the cap."""
    try:
        done = subprocess.run(
            [sys.executable, "-c", PABUTOOLS, str(path), rule],
            capture_output=True,
            text=True,
            timeout=CAP_SECONDS + 60,  # parsing is not part of the cap
            check=True,
        )
    except subprocess.TimeoutExpired:
        return None, None
    result = json.loads(done.stdout)
    if result["seconds"] > CAP_SECONDS:
        return None, None
    return result["seconds"], result["funded"]


def host_loop_seconds() -> float:
    """Seconds for 10^7 additions in a pure-Python loop: how fast the machine runs just now."""
    start = time.perf_counter()
    total = 0
    for number in range(10**7):
        total += number
    return time.perf_counter() - start


def cpu_seconds() -> float:
    """CPU seconds this process and its children that have ended have used so far (a long
    search shares its steps with a child process)."""
    used = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return sum(usage.ru_utime + usage.ru_stime for usage in used)


def first_call(profile: engine.Profile, rule: str) -> tuple[float, float, list[str]]:
    """(seconds by the wall clock, CPU seconds of both processes, funded) of one first call."""
    start, cpu = time.perf_counter(), cpu_seconds()
    funded = RULES[rule](profile)
    return time.perf_counter() - start, cpu_seconds() - cpu, [profile.project_ids[p] for p in funded]


def ours(profile: engine.Profile, rule: str) -> tuple[float, float, float, list[str]]:
    """(seconds, CPU seconds, peak MiB traced in a second run, funded)."""
    seconds, cpu, funded = first_call(profile, rule)
    tracemalloc.start()
    RULES[rule](profile)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return seconds, cpu, peak, funded


def every_instance_mes(
    data: Path, instances: dict, timed_already: dict[str, tuple[float, float, list[str]]]
) -> tuple[str, float, float, bool]:
    """Time our mes on every shared instance (but those ``timed_already``), slowest first;
    return the slowest, its seconds and CPU seconds, and whether every outcome is the one
    expected.json records."""
    timed = []
    identical = True
    for name, instance in instances.items():
        if name in timed_already:
            seconds, cpu, funded = timed_already[name]
        else:
            seconds, cpu, funded = first_call(engine.load(data / name).profile(), "mes")
        recorded = instance["results"]["mes_cost_add1_greedy"]
        same = recorded["status"] != "ok" or funded == recorded["selected_in_order"]
        identical &= same
        timed.append((seconds, cpu, name, same))
    timed.sort(reverse=True)
    print(f"\n{'instance (ours alone, mes)':50} {'ours_s':>8} {'cpu_s':>8} same")
    for seconds, cpu, name, same in timed:
        print(f"{name[:50]:50} {seconds:8.3f} {cpu:8.3f} {'yes' if same else 'NO'}")
    seconds, cpu, name, _ = timed[0]
    return name, seconds, cpu, identical


def main(data: Path, rule_names: list[str]) -> None:
    loop_before = host_loop_seconds()
    instances = json.loads((data / "expected.json").read_text(encoding="utf-8"))["instances"]
    largest = sorted(instances, key=lambda name: -instances[name]["num_voters"])[:5]
    identical = True
    mes_ratios: list[float] = []
    mes_first_calls: dict[str, tuple[float, float, list[str]]] = {}
    print(
        f"{'instance':34} {'rule':16} {'pabutools_s':>11} {'ours_s':>8} {'cpu_s':>8} {'ratio':>8} "
        f"{'peak_MiB':>9} same"
    )
    for name in largest:
        profile = engine.load(data / name).profile()
        for rule in rule_names:
            their_seconds, their_funded = pabutools(data / name, rule)
            seconds, cpu, peak, funded = ours(profile, rule)
            if rule == "phragmen" and their_funded is not None:
                their_funded = sorted(their_funded)  # pabutools lists Phragmén's outcome by id
            same = their_funded is None or their_funded == funded
            identical &= same
            ratio = their_seconds / seconds if their_seconds is not None else None
            if rule == "mes":
                mes_first_calls[name] = (seconds, cpu, funded)
                if ratio is not None:
                    mes_ratios.append(ratio)
            print(
                f"{name[:34]:34} {rule:16} "
                f"{'>120' if their_seconds is None else f'{their_seconds:.2f}':>11} "
                f"{seconds:8.3f} {cpu:8.3f} {'-' if ratio is None else f'{ratio:.1f}':>8} {peak:9.1f} "
                f"{'yes' if their_funded is not None and same else ('n/a' if same else 'NO')}",
                flush=True,
            )
    every = ""
    if "mes" in rule_names:
        slowest, seconds, cpu, same = every_instance_mes(data, instances, mes_first_calls)
        identical &= same
        every = f"mes_all_max_s={seconds:.2f} mes_slowest={Path(slowest).stem} mes_slowest_cpu_s={cpu:.2f} "
    loop_after = host_loop_seconds()
    print(
        f"mes_ours_max_s={max((s for s, _, _ in mes_first_calls.values()), default=float('nan')):.2f} "
        f"mes_min_ratio={min(mes_ratios) if mes_ratios else float('nan'):.1f} "
        f"{every}identical={identical} loop_before_s={loop_before:.2f} loop_after_s={loop_after:.2f}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", type=Path, default=DATA)
    parser.add_argument("--rules", default=",".join(RULE_NAMES), help="comma-separated rules to run")
    arguments = parser.parse_args()
    chosen = arguments.rules.split(",")
    unknown = sorted(set(chosen) - set(RULE_NAMES))
    if unknown:
        parser.error(f"unknown rule {unknown[0]!r}; choose from {', '.join(RULE_NAMES)}")
    main(arguments.data, chosen)
