#!/usr/bin/env python3
"""Runs one command and measures it for the bench: wall seconds, CPU-seconds of the whole
machine meanwhile (every process: the controller, ssh, and on the lab the hosts too, from
/proc/stat), the command's own CPU-seconds with its children (ssh included), and its own peak RSS (VmHWM)
and the most file descriptors it held open (both sampled every 10 ms). The figures go to --out as one JSON object,
the command's stdout to --stdout.

    measure.py --out FIGURES.json --stdout OUT CMD [ARGS...]
"""
import json, os, resource, subprocess, sys, time

args = sys.argv[1:]
out = args[args.index("--out") + 1]
stdout = args[args.index("--stdout") + 1]
cmd = args[args.index("--stdout") + 2:]

def machine_cpu():
    with open("/proc/stat") as f:
        fields = f.readline().split()[1:]
    user, nice, system, idle, iowait, irq, softirq = (int(x) for x in fields[:7])
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")

start_cpu, start = machine_cpu(), time.monotonic()
with open(stdout, "wb") as so:
    p = subprocess.Popen(cmd, stdout=so)
    fds = rss = 0
    while p.poll() is None:
        try:
            fds = max(fds, len(os.listdir("/proc/%d/fd" % p.pid)))
            with open("/proc/%d/status" % p.pid) as f:
                hwm = [l for l in f if l.startswith("VmHWM:")]
            rss = max(rss, int(hwm[0].split()[1]) if hwm else 0)
        except (OSError, ValueError):
            pass
        time.sleep(0.01)
seconds, cpu = time.monotonic() - start, machine_cpu() - start_cpu
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
with open(out, "w") as f:
    json.dump({"exit": p.returncode, "seconds": round(seconds, 3), "machine_cpu": round(cpu, 2),
               "own_cpu": round(usage.ru_utime + usage.ru_stime, 2), "rss_kb": rss,
               "fds": fds}, f)
