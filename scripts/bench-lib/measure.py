#!/usr/bin/env python3
"""Whole-process CPU and wall time of short commands, round-robin, for scripts/bench.

Reads a plan on stdin, one command per line, tab-separated:

    group <TAB> label <TAB> directory <TAB> setup <TAB> command

`group` names an operation ("fingerprint"); the first command of a group is mailtls, the others
are the anchors it is compared with. `setup` is a shell line run before every timed run and not
timed (e.g. removing the file the command will write); `-` for none. `command` is split with
shlex and executed directly (no shell, so no shell start-up in the figures).

Every round runs every command of every group once, in an order that rotates from round to
round, so each pair is measured side by side under the same load. The CPU time is the child's
user + system time from wait4(2); the wall time runs from just before posix_spawn to the end of
wait4. Prints one tab-separated line per command: group, label, runs, median CPU ms, median
wall ms, first-quartile CPU ms, third-quartile CPU ms.

Usage: measure.py RUNS < plan
"""
import os
import shlex
import statistics
import subprocess
import sys
import time


def quartiles(values):
    q = statistics.quantiles(values, n=4)
    return q[0], q[2]


def main():
    runs = int(sys.argv[1])
    plan = []
    for line in sys.stdin:
        line = line.rstrip("\n")
        if not line or line.startswith("#"):
            continue
        group, label, directory, setup, command = line.split("\t")
        plan.append({"group": group, "label": label, "dir": directory,
                     "setup": None if setup == "-" else setup,
                     "argv": shlex.split(command), "cpu": [], "wall": []})
    devnull = os.open(os.devnull, os.O_RDWR)
    actions = [(os.POSIX_SPAWN_DUP2, devnull, 0), (os.POSIX_SPAWN_DUP2, devnull, 1),
               (os.POSIX_SPAWN_DUP2, devnull, 2)]
    env = dict(os.environ)
    for r in range(runs):
        start = r % len(plan)
        for entry in plan[start:] + plan[:start]:
            if entry["setup"]:
                subprocess.run(entry["setup"], shell=True, cwd=entry["dir"], check=True)
            os.chdir(entry["dir"])
            t0 = time.perf_counter()
            pid = os.posix_spawnp(entry["argv"][0], entry["argv"], env, file_actions=actions)
            _, status, usage = os.wait4(pid, 0)
            t1 = time.perf_counter()
            code = os.waitstatus_to_exitcode(status)
            if code != 0:
                sys.exit(f"measure.py: {shlex.join(entry['argv'])} (in {entry['dir']}) exited {code}")
            entry["cpu"].append((usage.ru_utime + usage.ru_stime) * 1000)
            entry["wall"].append((t1 - t0) * 1000)
    for entry in plan:
        q1, q3 = quartiles(entry["cpu"])
        print("\t".join([entry["group"], entry["label"], str(runs),
                         f"{statistics.median(entry['cpu']):.2f}", f"{statistics.median(entry['wall']):.2f}",
                         f"{q1:.2f}", f"{q3:.2f}"]))


if __name__ == "__main__":
    main()
