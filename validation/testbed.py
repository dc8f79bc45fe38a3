"""Network namespaces, a bridge and the processes of the validation testbed.

Every namespace is named PREFIX-<pid>-<node>, so that a run can remove what
an earlier, killed run left behind (stale_cleanup) without touching anything
else on the machine. Addresses exist only inside these namespaces: the bridge
itself lives in a namespace of its own (a bridge cannot be moved between
namespaces), and no interface of the host's namespace is created or changed.
"""

import os
import signal
import subprocess
import threading
import time

PREFIX = "tsv"  # tiersim validation


def sh(*args, check=True, capture=False):
    """Runs a command (a list of words), raising on failure when check."""
    return subprocess.run(list(args), check=check, text=True,
                          stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
                          stderr=subprocess.PIPE if capture else subprocess.DEVNULL)


def list_namespaces():
    out = sh("ip", "netns", "list", capture=True, check=False).stdout
    return [line.split()[0] for line in out.splitlines() if line.strip()]


def pids_in_namespace(ns):
    out = sh("ip", "netns", "pids", ns, capture=True, check=False).stdout
    return [int(p) for p in out.split() if p.isdigit()]


def stale_cleanup():
    """Removes the namespaces (and their processes) of earlier runs whose
    harness is no longer alive."""
    for ns in list_namespaces():
        parts = ns.split("-")
        if len(parts) < 3 or parts[0] != PREFIX or not parts[1].isdigit():
            continue
        owner = int(parts[1])
        if owner != os.getpid() and os.path.exists(f"/proc/{owner}"):
            continue  # another harness that is still running
        for pid in pids_in_namespace(ns):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        sh("ip", "netns", "delete", ns, check=False)


class Proc:
    """A process started inside a namespace; its output lines are read by a
    thread and stamped with CLOCK_MONOTONIC at arrival, the clock the load
    generator and the drills use."""

    def __init__(self, name, ns, argv, log_path):
        self.name = name
        self.lines = []  # (monotonic time, line)
        self.log = open(log_path, "a", buffering=1)
        # nice and ip netns exec exec the command: the pid is the program's own.
        # At nice -10: the drills time events to a few milliseconds on a
        # machine shared with builds; the testbed itself needs little CPU.
        self.popen = subprocess.Popen(["nice", "-n", "-10", "ip", "netns", "exec", ns] + argv,
                                      stdin=subprocess.DEVNULL,
                                      stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                      text=True, start_new_session=True)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.popen.stdout:
            t = time.monotonic()
            self.lines.append((t, line.rstrip("\n")))
            self.log.write(f"{t:.6f} {line}")
        # Reaped at once: a dead child left a zombie would still pass
        # keepalived's `kill -0 PID` check (init reaps on a real host).
        self.popen.wait()

    @property
    def pid(self):
        return self.popen.pid

    def alive(self):
        return self.popen.poll() is None

    def signal(self, sig):
        if self.alive():
            try:
                os.kill(self.popen.pid, sig)
            except ProcessLookupError:
                pass

    def stop(self, timeout=3.0):
        """SIGTERM, then SIGKILL to the whole process group (keepalived's
        children, nginx's workers)."""
        if self.alive():
            self.signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.popen.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            pass
        self.reader.join(1.0)
        self.log.close()

    def find(self, text, after=0.0):
        """Time of the first output line containing text, at or after `after`."""
        for t, line in list(self.lines):
            if t >= after and text in line:
                return t
        return None


class Testbed:
    """Namespaces on one bridge. nodes: name -> list of addresses (CIDR)."""

    def __init__(self, nodes, workdir):
        self.tag = f"{PREFIX}-{os.getpid()}"
        self.sw = f"{self.tag}-sw"
        self.nodes = nodes
        self.workdir = workdir
        self.procs = []
        self.macs = {}

    def ns(self, node):
        return f"{self.tag}-{node}"

    def up(self):
        sh("ip", "netns", "add", self.sw)
        sh("ip", "-n", self.sw, "link", "add", "br0", "type", "bridge")
        sh("ip", "-n", self.sw, "link", "set", "br0", "up")
        for node, addrs in self.nodes.items():
            ns = self.ns(node)
            sh("ip", "netns", "add", ns)
            sh("ip", "-n", ns, "link", "set", "lo", "up")
            # The pair is created in the switch's namespace with its far end
            # placed straight into the node's: the host's namespace never
            # holds it.
            sh("ip", "-n", self.sw, "link", "add", f"p-{node}", "type", "veth",
               "peer", "name", "eth0", "netns", ns)
            sh("ip", "-n", self.sw, "link", "set", f"p-{node}", "master", "br0", "up")
            for a in addrs:
                sh("ip", "-n", ns, "addr", "add", a, "dev", "eth0")
            sh("ip", "-n", ns, "link", "set", "eth0", "up")
            out = sh("ip", "-n", ns, "-o", "link", "show", "eth0", capture=True).stdout
            self.macs[node] = out.split("link/ether")[1].split()[0]
        # Permanent neighbour entries between the nodes' own addresses: a
        # silenced host must leave its callers' SYNs unanswered (a connect
        # timeout), not turn into an ARP failure and "no route to host".
        # The floating address keeps ordinary ARP, which keepalived's
        # gratuitous ARPs update.
        for node in self.nodes:
            for other, addrs in self.nodes.items():
                if other == node:
                    continue
                for a in addrs:
                    sh("ip", "-n", self.ns(node), "neigh", "replace", a.split("/")[0],
                       "lladdr", self.macs[other], "dev", "eth0", "nud", "permanent")

    def start(self, name, node, argv):
        p = Proc(name, self.ns(node), argv, os.path.join(self.workdir, f"{name}.log"))
        self.procs.append(p)
        return p

    def link(self, node, up):
        """Takes a node's link down (its host falls silent) or back up."""
        sh("ip", "-n", self.sw, "link", "set", f"p-{node}", "up" if up else "down")

    def stop_all(self):
        for p in reversed(self.procs):
            p.stop()
        self.procs = []

    def down(self):
        """Stops every process and removes every namespace; safe to call twice
        and after a partial up()."""
        self.stop_all()
        for ns in [self.ns(n) for n in self.nodes] + [self.sw]:
            if ns in list_namespaces():
                for pid in pids_in_namespace(ns):
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                sh("ip", "netns", "delete", ns, check=False)


def can_use_namespaces():
    """None when namespaces can be created here, else the reason why not."""
    if os.geteuid() != 0:
        return "not root: creating network namespaces needs CAP_SYS_ADMIN"
    probe = f"{PREFIX}-{os.getpid()}-probe"
    r = sh("ip", "netns", "add", probe, check=False, capture=True)
    if r.returncode != 0:
        return "cannot create a network namespace: " + r.stderr.strip()
    sh("ip", "netns", "delete", probe, check=False)
    return None
