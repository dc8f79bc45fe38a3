"""The simulated side of a drill: `tiersim import` of the same adapted
configuration files, an overlay with the testbed's measured service time and
link latency, the drill's fault, and `tiersim run --trace-faults`."""

import json
import os
import re
import subprocess

TRACE = re.compile(r"^\s*([0-9.]+)\s*s?\s+(.*)$")


def overlay(path, name, duration_s, seed, rate, service_s, latency_s, faults, load_end_s,
            app_tier):
    """A scenario overlay: the backend is a plain server whose fixed service
    time is the measured one on a machine with more cores than requests in
    flight (the testbed's backend sleeps; it does not compete for CPU), and
    every link has the measured one-way latency. The balancers' and nginx's
    own CPU is left at 0 (a fraction of a millisecond, below the timings
    compared here), on a machine with this host's core count (nginx's
    `worker_processes auto`). Requests arrive (Poisson, tiersim's open
    workload) until load_end_s, then the run goes on without arrivals so that
    those in flight end as they would on the testbed."""
    backend = "app" if app_tier else "web"
    lines = [
        f"name: {name}",
        f"run: {{ duration: {duration_s:.3f}s, warmup: 0s, seed: {seed} }}",
        "machines:",
        f"  box: {{ cores: {os.cpu_count()}, scheduling: ps }}",
        "  sleeper: { cores: 1024, scheduling: ps }",
        f"network: {{ latency: {latency_s * 1e6:.0f}us, client_latency: {latency_s * 1e6:.0f}us }}",
        "tiers:",
    ]
    if app_tier:
        lines += ["  web: { machine: box }",
                  "  app: { kind: server, machine: sleeper }"]
    else:
        lines += ["  lb: { machine: box }",
                  "  web: { kind: server, machine: sleeper }"]
    lines += [
        "workload:",
        f"  arrivals: {{ schedule: [ {{ at: 0s, rate: {rate:g}/s }}, {{ at: {load_end_s:.3f}s, rate: 0/s }} ] }}",
        f"  classes: {{ get: {{ {backend}: {{ cpu: {service_s * 1e6:.0f}us }} }} }}",
        "faults:",
    ]
    lines += [f"  - {f}" for f in faults]
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def run(tiersim, import_args, overlay_path, scenario_path):
    """Imports and runs; returns (report JSON, [(time_s, trace line)])."""
    imp = subprocess.run([tiersim, "import"] + import_args +
                         ["--overlay", overlay_path, "-o", scenario_path],
                         text=True, capture_output=True)
    if imp.returncode != 0:
        raise RuntimeError(f"tiersim import failed: {imp.stderr}")
    r = subprocess.run([tiersim, "run", scenario_path, "--format", "json", "--trace-faults"],
                       text=True, capture_output=True)
    if r.returncode != 0:
        raise RuntimeError(f"tiersim run failed: {r.stderr}")
    trace = []
    for line in r.stderr.splitlines():
        m = TRACE.match(line)
        if m:
            trace.append((float(m.group(1)), m.group(2)))
    return json.loads(r.stdout), trace


def first(trace, text, after):
    for t, line in trace:
        if t >= after and text in line:
            return t
    return None
