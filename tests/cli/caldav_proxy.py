#!/usr/bin/python3
"""caldav_proxy.py: a logging, fault-injecting HTTP proxy in front of a real CalDAV server.

Usage: caldav_proxy.py PORTFILE UPSTREAM_PORT LOG FAULTFILE

Listens on 127.0.0.1 (a free port, written to PORTFILE once it listens) and forwards every
request as it is (method, path, headers, body) to 127.0.0.1:UPSTREAM_PORT, one line per request
appended to LOG: "METHOD PATH STATUS", and to LOG.headers: "METHOD PATH IF-MATCH IF-NONE-MATCH
AUTHORIZED" (each "-" when absent; AUTHORIZED "auth" when an Authorization header came). FAULTFILE, when it exists, holds lines "METHOD N ACTION": the
Nth request of METHOD after the file was (re)written is not answered normally:
  503, 404, 412  answered with that status without reaching the server;
  drop  forwarded (the server does it), then the connection is closed without an answer;
  hang  held for 30 s without an answer (the client's timeout ends it);
  noetag  forwarded and answered, without the ETag header (as a server that changed what it
        was given answers, RFC 4791 5.3.4).
"""
import http.client
import http.server
import os
import sys
import threading
import time

portfile, upstream, log, faultfile = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
lock = threading.Lock()
state = {"mtime": None, "count": {}}


def fault_for(method):
    with lock:
        try:
            st = os.stat(faultfile)
            specs = [l.split() for l in open(faultfile).read().splitlines() if l.strip()]
        except OSError:
            return None
        if state["mtime"] != st.st_mtime_ns:
            state["mtime"], state["count"] = st.st_mtime_ns, {}
        n = state["count"][method] = state["count"].get(method, 0) + 1
        for spec in specs:
            if len(spec) == 3 and spec[0] == method and int(spec[1]) == n:
                return spec[2]
        return None


class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def note(self, status):
        with lock, open(log, "a") as f:
            f.write("%s %s %s\n" % (self.command, self.path, status))
        with lock, open(log + ".headers", "a") as f:
            f.write("%s %s %s %s %s\n" % (self.command, self.path, self.headers.get("If-Match", "-"),
                                          self.headers.get("If-None-Match", "-"),
                                          "auth" if self.headers.get("Authorization") else "-"))

    def handle_one_request(self):
        try:
            super().handle_one_request()
        except (ConnectionError, TimeoutError):
            self.close_connection = True

    def any(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else None
        fault = fault_for(self.command)
        if fault in ("503", "404", "412"):
            self.note(fault + "-injected")
            self.send_response(int(fault))
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if fault == "hang":
            self.note("hang-injected")
            time.sleep(30)
            self.close_connection = True
            return
        c = http.client.HTTPConnection("127.0.0.1", upstream, timeout=60)
        hdrs = {k: v for k, v in self.headers.items() if k.lower() not in ("connection", "expect")}
        c.request(self.command, self.path, body=body, headers=hdrs)
        r = c.getresponse()
        data = r.read()
        if fault == "drop":
            self.note("%d-dropped" % r.status)
            self.close_connection = True
            return
        self.note(r.status)
        self.send_response(r.status)
        for k, v in r.getheaders():
            if k.lower() in ("connection", "transfer-encoding", "content-length", "server", "date"):
                continue
            if fault == "noetag" and k.lower() == "etag":
                continue
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    do_GET = do_PUT = do_DELETE = do_REPORT = do_PROPFIND = do_MKCALENDAR = do_HEAD = do_OPTIONS = any


s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
s.daemon_threads = True
with open(portfile + ".tmp", "w") as f:
    f.write(str(s.server_address[1]))
os.rename(portfile + ".tmp", portfile)
s.serve_forever()
