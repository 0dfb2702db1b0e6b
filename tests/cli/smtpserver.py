#!/usr/bin/python3
# smtpserver.py: a real SMTP server for t-send.sh (Debian's python3-aiosmtpd)
# on 127.0.0.1 and a free port (written to PORTFILE once it listens). Each
# message it accepts goes into DIR as NNN.eml (the data as received) and
# NNN.json (envelope sender, recipients, the login used, whether it came
# over TLS). Options: --tls CERT KEY offers STARTTLS and requires it (no
# --tls: no STARTTLS at all); --implicit CERT KEY: TLS from the first byte
# (smtps); $SMTP_TEST_LOGIN=USER:PASSWORD requires AUTH with those;
# --refuse-nth N CODE TEXT refuses the N-th DATA (counted from 1 over the
# server's life) with that reply; --refuse-rcpt ADDR answers 550 to it.
# Runs until SIGTERM.
import argparse, json, os, signal, socket, ssl, sys, threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

ap = argparse.ArgumentParser()
ap.add_argument("dir")
ap.add_argument("portfile")
ap.add_argument("--tls", nargs=2)
ap.add_argument("--implicit", nargs=2)
ap.add_argument("--refuse-nth", nargs=3)
ap.add_argument("--refuse-rcpt", action="append", default=[])
a = ap.parse_args()

login = os.environ.get("SMTP_TEST_LOGIN")
user, pw = (login.split(":", 1) if login else (None, None))


class Handler:
    def __init__(self):
        self.n = 0       # DATA commands seen
        self.kept = 0    # messages accepted

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in [x.lower() for x in a.refuse_rcpt]:
            return "550 5.1.1 <%s>: Recipient address rejected: no such mailbox" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.n += 1
        if a.refuse_nth and self.n == int(a.refuse_nth[0]):
            return "%s %s" % (a.refuse_nth[1], a.refuse_nth[2])
        self.kept += 1
        base = os.path.join(a.dir, "%03d" % self.kept)
        with open(base + ".eml", "wb") as f:
            f.write(envelope.original_content or envelope.content)
        login_used = None
        ad = session.auth_data
        if ad is not None:
            login_used = ad.login.decode() if isinstance(ad, LoginPassword) else str(ad)
        with open(base + ".json", "w") as f:
            json.dump({"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos,
                       "login": login_used, "tls": session.ssl is not None or bool(a.implicit)}, f)
        return "250 2.0.0 Message accepted for delivery"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user and \
        auth_data.password.decode() == pw
    return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)


def ctx(cert, key):
    c = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    c.load_cert_chain(cert, key)
    return c


s = socket.socket()
s.bind(("127.0.0.1", 0))
port = s.getsockname()[1]
s.close()
kw = {}
if a.tls:
    kw.update(tls_context=ctx(*a.tls), require_starttls=True)
if login:
    kw.update(auth_required=True, authenticator=authenticator)
if a.implicit:
    # aiosmtpd counts only STARTTLS as TLS: AUTH is allowed as the whole
    # connection is TLS
    kw.update(ssl_context=ctx(*a.implicit), server_hostname="localhost", auth_require_tls=False)
c = Controller(Handler(), hostname="127.0.0.1", port=port, **kw)
c.start()
with open(a.portfile + ".tmp", "w") as f:
    f.write("%d\n" % port)
os.rename(a.portfile + ".tmp", a.portfile)
done = threading.Event()
signal.signal(signal.SIGTERM, lambda *_: done.set())
while not done.wait(0.2):   # (a bare wait() would not see the signal)
    pass
c.stop()
