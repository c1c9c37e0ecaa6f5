#!/usr/bin/env python3
"""Tables and plot data from throughput.sh's rounds (one JSON object a line).

    summarize.py --peak SCENARIO ROUNDS.jsonl
        memcached's median ops/s in SCENARIO (the open loop's reference rate).
    summarize.py --titles SCENARIOS.tsv --plot-data DIR ROUNDS.jsonl
        the markdown table on stdout; DIR/throughput.dat (median ops/s per scenario, both
        servers) and DIR/latency-SERVER.dat (the open-loop latency distribution of the round
        whose p99 is that server's median) for plot.sh.

Ratios are mnemod / memcached as the median of the per-round ratios: each mnemod round against
the memcached round just before it, which cancels most of the drift in what else the machine
is doing. ops/s, CPU time per request and p99 are medians over the rounds.
"""

import argparse
import json
import statistics
import sys

SERVERS = ("memcached", "mnemod")


def load_rounds(path):
    """{scenario: {server: [round records in round order]}}"""
    by_scenario = {}
    with open(path) as rounds:
        for line in rounds:
            if not line.strip():
                continue
            record = json.loads(line)
            servers = by_scenario.setdefault(record["scenario"], {s: [] for s in SERVERS})
            servers[record["server"]].append(record)
    for servers in by_scenario.values():
        for records in servers.values():
            records.sort(key=lambda r: r["round"])
    return by_scenario


def ops(record):
    return record["bench"]["ops_per_sec"]


def cpu(record):
    return record["cpu_us_per_request"]


def p99(record):
    return record["bench"]["latency_us"]["p99"]


def paired_ratio(servers, metric):
    """The median of the per-round ratios, as text; "n/a" when no round has a memcached value
    above 0 (a run too short for one CPU clock tick)."""
    ratios = [metric(b) / metric(a) for a, b in zip(servers["memcached"], servers["mnemod"])
              if metric(a) > 0]
    return f"{statistics.median(ratios):.3f}" if ratios else "n/a"


def median_of(records, metric):
    return statistics.median(metric(r) for r in records) if records else float("nan")


def table(by_scenario, titles):
    header = ("| scenario | memcached ops/s | mnemod ops/s | ops ratio * "
              "| CPU us/request memcached / mnemod | CPU ratio * "
              "| p99 us memcached / mnemod | p99 ratio * | errors |")
    lines = [header, "|---|---|---|---|---|---|---|---|---|"]
    for scenario, title in titles:
        servers = by_scenario.get(scenario)
        if not servers or not servers["memcached"] or not servers["mnemod"]:
            continue
        mc, mn = servers["memcached"], servers["mnemod"]
        errors = sum(r["bench"]["errors"] for r in mc + mn)
        lines.append(
            f"| {title} | {median_of(mc, ops):.0f} | {median_of(mn, ops):.0f} "
            f"| **{paired_ratio(servers, ops)}** "
            f"| {median_of(mc, cpu):.2f} / {median_of(mn, cpu):.2f} "
            f"| **{paired_ratio(servers, cpu)}** "
            f"| {median_of(mc, p99):.1f} / {median_of(mn, p99):.1f} "
            f"| **{paired_ratio(servers, p99)}** | {errors} |")
    return "\n".join(lines)


def median_round(records, metric):
    """The record whose metric is the median (the lower middle one for an even count)."""
    ordered = sorted(records, key=metric)
    return ordered[(len(ordered) - 1) // 2]


def write_plot_data(by_scenario, titles, directory):
    with open(f"{directory}/throughput.dat", "w") as out:
        out.write("# scenario memcached_ops mnemod_ops\n")
        for scenario, _ in titles:
            servers = by_scenario.get(scenario)
            if servers and servers["memcached"] and servers["mnemod"]:
                out.write(f"{scenario} {median_of(servers['memcached'], ops):.1f} "
                          f"{median_of(servers['mnemod'], ops):.1f}\n")
    open_loop = by_scenario.get("open-loop", {})
    for server in SERVERS:
        records = open_loop.get(server) or []
        with open(f"{directory}/latency-{server}.dat", "w") as out:
            out.write("# percentile 1/(1-q) latency_us\n")
            if not records:
                continue
            chosen = median_round(records, p99)
            for q, micros in chosen["bench"]["latency_curve_us"]:
                if q < 1:  # 1/(1-q) is the x axis; the maximum has no place on it
                    out.write(f"{q * 100:g} {1 / (1 - q):.6g} {micros}\n")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--peak")
    parser.add_argument("--titles")
    parser.add_argument("--plot-data")
    parser.add_argument("rounds")
    args = parser.parse_args()
    by_scenario = load_rounds(args.rounds)
    if args.peak:
        records = by_scenario.get(args.peak, {}).get("memcached")
        if not records:
            sys.exit(f"no memcached rounds of {args.peak} in {args.rounds}")
        print(f"{median_of(records, ops):.0f}")
        return
    with open(args.titles) as tsv:
        titles = [tuple(line.rstrip("\n").split("\t", 1)) for line in tsv if line.strip()]
    print(table(by_scenario, titles))
    print()
    print("\\* mnemod / memcached, median of the per-round ratios (below 1 is better for CPU "
          "and p99); ops/s, CPU and p99: medians. A multi-get request carries 16 keys.")
    open_loop = by_scenario.get("open-loop")
    if open_loop and open_loop["memcached"] and open_loop["mnemod"]:
        rate = open_loop["memcached"][0]["bench"]["rate"]
        lag = [median_of(open_loop[s], lambda r: r["bench"].get("send_lag_us", {}).get("p99", 0))
               for s in SERVERS]
        print()
        print(f"Open loop: {rate:.0f} requests/s offered to both; mnemo-bench's own send lag "
              f"(p99, how late requests left) {lag[0]:.1f} us against memcached, {lag[1]:.1f} us "
              "against mnemod: latency well above it is the server's.")
    if args.plot_data:
        write_plot_data(by_scenario, titles, args.plot_data)


if __name__ == "__main__":
    main()
