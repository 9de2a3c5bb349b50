"""The bench's stack deployed by pyinfra, the same three-tier work stackctl does: each host's
files (rendered by `stackctl render`, so both tools ship the same bytes), the pool's account,
validation by each server's own check, supervisord and its programs started or reloaded tier
by tier (workers, then the middle, then the front: pyinfra runs each operation on every host
before the next), and a health check of each tier on its host.

    pyinfra -y INVENTORY.py pyinfra_deploy.py     (host data: role, render_dir, base)
"""
import os

from pyinfra import host
from pyinfra.operations import files, server

role = host.data.role          # front, middle or workers
root = host.data.render_dir    # stackctl render's tree for this host
base = host.data.base
conf = base + "/supervisor/supervisord.conf"
ctl = "/usr/bin/supervisorctl -c " + conf

if role == "workers":
    server.group(name="pool group", group="shop-main", system=True)
    server.user(name="pool user", user="shop-main", group="shop-main", system=True, shell="/usr/sbin/nologin",
                home="/nonexistent", create_home=False)

for d, owner, group, mode in [(base + "/log", "root", "www-data", "775"), (base + "/run", "root", "root", "755")] + (
        [(base + "/middle/temp", "www-data", "www-data", "750")] if role == "middle" else []):
    files.directory(name="directory " + d, path=d, user=owner, group=group, mode=mode)

changed = []
for folder, _, names in sorted(os.walk(root)):
    for name in sorted(names):
        src = os.path.join(folder, name)
        dest = "/" + os.path.relpath(src, root)
        if name == ".stackctl-render" or dest.startswith("/etc/systemd/"):
            continue
        owner = group = "root"
        mode = "755" if os.access(src, os.X_OK) else "644"
        if dest.endswith("/pool.json"):
            owner, group, mode = "shop-main", "shop-main", "440"
        changed.append(files.put(name="upload " + dest, src=src, dest=dest, user=owner, group=group, mode=mode))

any_change = lambda: any(op.did_change() for op in changed)

# Each server's own check of what changed, before anything runs it.
if role == "front":
    server.shell(name="apache2 -t", commands=["/usr/sbin/apache2 -t -f %s/front/apache2.conf" % base], _if=any_change)
if role == "middle":
    server.shell(name="nginx -t", commands=["/usr/sbin/nginx -t -q -p %s/middle -c %s/middle/nginx.conf" % (base, base)], _if=any_change)

def supervised():
    server.shell(name="supervisord running", commands=[
        "%s pid >/dev/null 2>&1 || { %s/supervisor/supervisord -c %s </dev/null >/dev/null 2>&1; i=0; "
        "until %s pid >/dev/null 2>&1; do i=$((i+1)); [ $i -gt 200 ] && exit 1; sleep 0.05; done; }" % (ctl, base, conf, ctl)])
    server.shell(name="supervisord update", commands=[ctl + " update"], _if=any_change)


def started(program, reload):
    """Started where not running; restarted or reloaded where its files changed."""
    server.shell(name="start " + program, commands=[ctl + " start " + program + " | grep -v 'already started' || true"])
    server.shell(name="reload " + program, commands=[ctl + " " + reload + " " + program], _if=any_change)


# Tier by tier: pyinfra orders operations by where the deploy calls them, so each tier's come
# after the tier below has started and answered.
if role == "workers":
    supervised()
    started("shop-main:*", "restart")
    server.shell(name="health workers", commands=[
        "python3 -c \"import socket, time\nfor p in (9000, 9001):\n  for i in range(100):\n    try: socket.create_connection(('%s', p), 1).close(); break\n"
        "    except OSError: time.sleep(0.05)\n  else: raise SystemExit('worker %%d down' %% p)\"" % host.data.address])
if role == "middle":
    supervised()
    started("shop-middle", "signal HUP")
    server.shell(name="health middle", commands=[
        "curl -sf -o /dev/null --retry 20 --retry-delay 0 --retry-connrefused http://%s:8000/health" % host.data.address])
if role == "front":
    supervised()
    started("shop-front", "signal USR1")
    server.shell(name="health front", commands=[
        "curl -sf -o /dev/null --retry 20 --retry-delay 0 --retry-connrefused http://%s/health" % host.data.address])
