"""The example configurations (examples/configs/stage3), adapted to the
testbed. Each adaptation changes only how the daemon runs here (foreground,
no syslog, private pid files, a process check that sees one namespace's
HAProxy), never a setting tiersim reads; the adapted files are what both the
real daemons and `tiersim import` read.
"""

import os
import re
import shutil

# Node addresses: the ones the example configurations use, on one bridge.
NODES = {
    "client": ["10.0.0.2/16"],
    "lb1": ["10.0.0.11/16"],
    "lb2": ["10.0.0.12/16"],
    "web1": ["10.0.1.11/16"],
    "web2": ["10.0.1.12/16"],
    "app1": ["10.0.2.21/16"],
    "app2": ["10.0.2.22/16"],
}
VIP = "10.0.0.10"


def addr(node):
    return NODES[node][0].split("/")[0]


def haproxy_cfg(src, dst, redispatch=True):
    """stage3's haproxy.cfg, run in the foreground (-db) by root: no
    chroot/user/group/daemon, no syslog (/dev/log is the host's);
    `no option redispatch` for the drill without it."""
    out = []
    for line in open(src):
        word = line.split()[0] if line.split() else ""
        if word in ("chroot", "user", "group", "daemon"):
            continue
        if word == "log" and "/dev/log" in line:
            continue
        if not redispatch and line.strip() == "option redispatch":
            line = line.replace("option redispatch", "no option redispatch")
        out.append(line)
    text = "".join(out)
    if not redispatch and "no option redispatch" not in text:
        raise RuntimeError(f"{src}: no `option redispatch` line to turn off")
    with open(dst, "w") as f:
        f.write(text)


def keepalived_conf(src, dst, haproxy_pid):
    """stage3's keepalived-lbN.conf with the track script pointed at this
    node's HAProxy: `killall -0 haproxy` would see every namespace's HAProxy
    (namespaces here share one PID namespace), so it becomes `kill -0 PID`,
    the same test of one process."""
    text = open(src).read()
    new = re.sub(r'script "[^"]*killall -0 haproxy"',
                 f'script "/bin/kill -0 {haproxy_pid}"', text)
    if new == text:
        raise RuntimeError(f"{src}: no `killall -0 haproxy` script to adapt")
    with open(dst, "w") as f:
        f.write(new)


def nginx_conf(srcdir, dstdir, run_dir):
    """stage3's nginx.conf (and conf.d/) with its pid file in the run
    directory and warnings on stderr (nginx logs an upstream's
    "temporarily disabled" at warn; the example logs from error up)."""
    os.makedirs(os.path.join(dstdir, "conf.d"), exist_ok=True)
    for name in os.listdir(os.path.join(srcdir, "conf.d")):
        shutil.copy(os.path.join(srcdir, "conf.d", name), os.path.join(dstdir, "conf.d", name))
    text = open(os.path.join(srcdir, "nginx.conf")).read()
    text = re.sub(r"^pid .*;$", f"pid {run_dir}/nginx.pid;", text, flags=re.M)
    text = text.replace("error_log stderr;", "error_log stderr warn;")
    if f"pid {run_dir}" not in text or "stderr warn" not in text:
        raise RuntimeError("nginx.conf: pid or error_log line not found")
    dst = os.path.join(dstdir, "nginx.conf")
    with open(dst, "w") as f:
        f.write(text)
    return dst
