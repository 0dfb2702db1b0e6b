#!/usr/bin/python3
"""feedserver.py: a plain http(s) feed server on 127.0.0.1 for tests/cli/t-feeds.sh.

Usage: feedserver.py DIR PORTFILE LOG [--tls CERT KEY]

Serves DIR's files at /feeds/NAME with a strong ETag (SHA-256 of the bytes) and a Last-Modified,
answering a matching If-None-Match or If-Modified-Since with 304. Also: /status/N answers status
N; /slow waits 30 s; /big sends 70 MB of text (Content-Length given); /bigchunked sends 70 MB
without a length; /redirect/NAME answers 302 to /feeds/NAME; /loop redirects to itself; /longheader answers with a header line of 1 MiB;
/private/NAME needs Basic auth user "clinic", password "s3cret-pw"; /toplain/NAME redirects to
$FEEDSERVER_PLAIN/private/NAME (from https, a downgrade); /badetag/NAME serves a feed
with an ETag holding a bare CR; a REPORT free-busy-query to /dav/fb/ answers a VFREEBUSY (a
CalDAV server that offers it); a REPORT to /dav/file/NAME/ answers DIR/NAME as a 207 (a hostile
multistatus written by the test), to /dav/fbfile/NAME/ answers DIR/NAME as a 200 (a hostile
free-busy answer), to /dav/status/N/ answers status N, to /dav/big/ a 70 MB 207. A request to
a path starting /slow waits 30 s (and logs "ARRIVED PATH" first). It writes the port it bound
(port 0: any free one) to PORTFILE and one line per request to LOG: method, path, status,
and whether If-None-Match / Authorization came. It runs until killed.
"""
import base64
import hashlib
import http.server
import os
import ssl
import sys
import time
from email.utils import formatdate

DIR, PORTFILE, LOG = sys.argv[1], sys.argv[2], sys.argv[3]
AUTH = "Basic " + base64.b64encode(b"clinic:s3cret-pw").decode()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def note(self, status):
        with open(LOG, "a") as f:
            f.write("%s %s %d inm=%s auth=%s\n" % (self.command, self.path, status,
                                                   "yes" if self.headers.get("If-None-Match") else "no",
                                                   "yes" if self.headers.get("Authorization") else "no"))

    def send(self, status, body=b"", headers=()):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body and self.command != "HEAD":
            self.wfile.write(body)
        self.note(status)

    def feed(self, name):
        path = os.path.join(DIR, os.path.basename(name))
        if not os.path.isfile(path):
            return self.send(404, b"no such feed\n")
        data = open(path, "rb").read()
        etag = '"%s"' % hashlib.sha256(data).hexdigest()[:32]
        lm = formatdate(os.stat(path).st_mtime, usegmt=True)
        hdr = [("ETag", etag), ("Last-Modified", lm), ("Content-Type", "text/calendar; charset=utf-8")]
        if self.headers.get("If-None-Match") == etag:
            return self.send(304, headers=hdr)
        self.send(200, data, hdr)

    def do_GET(self):
        p = self.path.split("?", 1)[0]   # a query (?token=...) names the same feed
        if p.startswith("/feeds/"):
            return self.feed(p[len("/feeds/"):])
        if p.startswith("/status/"):
            return self.send(int(p[len("/status/"):]), b"status\n")
        if p.startswith("/slow"):
            with open(LOG, "a") as f:
                f.write("ARRIVED %s\n" % p)
            time.sleep(30)
            return self.send(200, b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
        if p == "/big":
            n = 70 * 1024 * 1024
            self.send_response(200)
            self.send_header("Content-Length", str(n))
            self.end_headers()
            try:
                for _ in range(n // 65536):
                    self.wfile.write(b"x" * 65536)
            except OSError:
                pass
            return self.note(200)
        if p == "/bigchunked":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            try:
                for _ in range(70 * 16):
                    chunk = b"x" * 65536
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                self.wfile.write(b"0\r\n\r\n")
            except OSError:
                pass
            return self.note(200)
        if p.startswith("/redirect/"):
            return self.send(302, b"", [("Location", "/feeds/" + p[len("/redirect/"):])])
        if p.startswith("/toplain/"):
            # to the plain http server's /private/NAME (FEEDSERVER_PLAIN: its base URL)
            return self.send(302, b"", [("Location", os.environ.get("FEEDSERVER_PLAIN", "") + "/private/" +
                                         p[len("/toplain/"):])])
        if p == "/longheader":
            return self.send(200, b"", [("X-Long", "a" * (1 << 20))])
        if p == "/loop":
            return self.send(302, b"", [("Location", "/loop")])
        if p.startswith("/badetag/"):
            path = os.path.join(DIR, os.path.basename(p[len("/badetag/"):]))
            return self.send(200, open(path, "rb").read(), [("ETag", '"abc\rX-Injected: yes"')])
        if p.startswith("/private/"):
            if self.headers.get("Authorization") != AUTH:
                return self.send(401, b"who are you?\n", [("WWW-Authenticate", 'Basic realm="clinic"')])
            return self.feed(p[len("/private/"):])
        self.send(404, b"not found\n")


    def do_REPORT(self):
        """A CalDAV collection at /dav/fb/ that offers free-busy-query (RFC 4791 7.10)."""
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n).decode(errors="replace")
        p = self.path
        if p.startswith("/dav/file/") or p.startswith("/dav/fbfile/"):
            name = os.path.basename(p.rstrip("/"))
            data = open(os.path.join(DIR, name), "rb").read()
            fb = p.startswith("/dav/fbfile/")
            return self.send(200 if fb else 207, data,
                             [("Content-Type", "text/calendar" if fb else "application/xml; charset=utf-8")])
        if p.startswith("/dav/status/"):
            return self.send(int(p.split("/")[3]), b"status\n")
        if p == "/dav/big/":
            n = 70 * 1024 * 1024
            self.send_response(207)
            self.send_header("Content-Length", str(n))
            self.end_headers()
            try:
                self.wfile.write(b'<?xml version="1.0"?><multistatus xmlns="DAV:"><!--')
                for _ in range(n // 65536 - 1):
                    self.wfile.write(b"x" * 65536)
            except OSError:
                pass
            return self.note(207)
        if self.path.startswith("/dav/fb/") and "free-busy-query" in body:
            cal = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//feedserver//EN\r\nBEGIN:VFREEBUSY\r\n"
                   "DTSTAMP:20261101T000000Z\r\nDTSTART:20261123T000000Z\r\nDTEND:20261130T000000Z\r\n"
                   "FREEBUSY:20261124T090000Z/20261124T120000Z,20261126T130000Z/PT2H\r\n"
                   "END:VFREEBUSY\r\nEND:VCALENDAR\r\n").encode()
            return self.send(200, cal, [("Content-Type", "text/calendar; charset=utf-8")])
        self.send(207, b'<?xml version="1.0"?><multistatus xmlns="DAV:"/>',
                  [("Content-Type", "application/xml; charset=utf-8")])


srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
if len(sys.argv) > 4 and sys.argv[4] == "--tls":
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(sys.argv[5], sys.argv[6])
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
with open(PORTFILE + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(PORTFILE + ".tmp", PORTFILE)
srv.serve_forever()
