#!/usr/bin/env python3
"""bench-caldav.py: import the example families from Radicale (CalDAV) and from files, side by side.

Usage: bench-caldav.py DOVETAIL [--runs 11]

Starts Radicale (htpasswd auth) on 127.0.0.1 with a temporary collection store, uploads every
example feed (tests/cli/caldav_put.py; a VFREEBUSY-only feed stays a file), then, for each family,
times `dovetail import` of all its feeds into a fresh store, once from the files and once from the
CalDAV collections (a calendar-query REPORT each), alternating, --runs times. Reports the median
whole-process time per family and for the three together, and the ratio. Stops Radicale.
"""
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def main():
    exe = os.path.abspath(sys.argv[1])
    runs = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 11
    tmp = tempfile.mkdtemp(prefix="dovetail-bench-caldav.")
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    with open(os.path.join(tmp, "htpasswd"), "w") as f:
        f.write("bench:bench-pw\n")
    rad = subprocess.Popen(["radicale", "--server-hosts", "127.0.0.1:%d" % port,
                            "--storage-filesystem-folder", os.path.join(tmp, "coll"),
                            "--auth-type", "htpasswd", "--auth-htpasswd-filename", os.path.join(tmp, "htpasswd"),
                            "--auth-htpasswd-encryption", "plain", "--rights-type", "owner_only"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), 1).close()
                break
            except OSError:
                time.sleep(0.1)
        netrc = os.path.join(tmp, "netrc")
        with open(netrc, "w") as f:
            f.write("machine 127.0.0.1 login bench password bench-pw\n")
        os.chmod(netrc, 0o600)
        env = dict(os.environ, DOVETAIL_NOW="20261123T000000Z", NETRC=netrc, LC_ALL="C")
        fams = {}
        for fam in ("cp", "autism", "dementia"):
            feeds = sorted(os.path.join(ROOT, "examples", "family-" + fam, "feeds", x)
                           for x in os.listdir(os.path.join(ROOT, "examples", "family-" + fam, "feeds")))
            urls = []
            for f in feeds:
                name = os.path.basename(f)[:-4]
                url = "http://127.0.0.1:%d/bench/%s-%s/" % (port, fam, name)
                n = subprocess.run(["/usr/bin/python3", os.path.join(ROOT, "tests", "cli", "caldav_put.py"),
                                    url, "bench", "bench-pw", f], capture_output=True, text=True)
                urls.append("caldav+" + url if n.returncode == 0 and int(n.stdout or 0) > 0 else f)
            fams[fam] = (feeds, urls)
        res = {fam: ([], []) for fam in fams}
        for r in range(runs):
            for fam, (feeds, urls) in fams.items():
                for k, args in enumerate((feeds, urls)):
                    db = os.path.join(tmp, "r.db")
                    for x in ("", "-wal", "-shm"):
                        if os.path.exists(db + x):
                            os.unlink(db + x)
                    t0 = time.monotonic()
                    p = subprocess.run([exe, "--db", db, "import"] + args, env=env,
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                    t = time.monotonic() - t0
                    if p.returncode not in (0,):
                        sys.exit("import %s (%s) failed: %d" % (fam, "files" if k == 0 else "caldav", p.returncode))
                    res[fam][k].append(t)
        print("| family | feeds (CalDAV) | files ms | CalDAV ms | ratio |")
        print("|---|---|---|---|---|")
        tf = tc = 0
        for fam, (a, b) in res.items():
            ma, mb = statistics.median(a) * 1000, statistics.median(b) * 1000
            tf += ma
            tc += mb
            n_dav = sum(1 for u in fams[fam][1] if u.startswith("caldav+"))
            print("| %s | %d (%d) | %.1f | %.1f | %.2fx |" % (fam, len(fams[fam][0]), n_dav, ma, mb, mb / ma))
        print("| all three | | %.1f | %.1f | %.2fx |" % (tf, tc, tc / tf))
        print("\nmedians of %d runs, whole `dovetail import` processes, fresh store each" % runs)
    finally:
        rad.terminate()
        rad.wait()
        shutil.rmtree(tmp, ignore_errors=True)


main()
