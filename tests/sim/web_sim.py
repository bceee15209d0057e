#!/usr/bin/env python3
"""web_sim: what a set-up server's Caddy answers, on loopback addresses.

    python3 tests/sim/web_sim.py --port-file F --addresses 127.0.100.1-16

Serves a small Element-like page on every address of the range, all on one
port (chosen free, written to --port-file once every address listens).  The
OpenStack simulator's --loopback-servers gives servers these addresses, so
ip-provision's web check (address pinned, Host: the server's domain) is a
real HTTP exchange.  /_matrix/* answers 502, as Caddy does before the
attendee's homeserver runs; *.tar.gz paths answer stand-in release bytes
(for general.element_url), /missing/* 404.  Requests are logged to --log as JSON lines.
Python 3 standard library only.
"""
import argparse
import ipaddress
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import simlib  # tests/sim/simlib.py

LOG_LOCK = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    server_version = "Caddy"
    sys_version = ""

    def log_message(self, fmt, *args):
        pass

    def _log(self, status):
        if not ARGS.log:
            return
        line = json.dumps({"t": time.time(), "addr": self.server.server_address[0],
                           "host": self.headers.get("Host"), "path": self.path,
                           "status": status})
        with LOG_LOCK, open(ARGS.log, "a") as f:
            f.write(line + "\n")

    def do_GET(self):
        host = (self.headers.get("Host") or "").split(":")[0]
        ctype = "text/html; charset=utf-8"
        if self.path.startswith("/_matrix/"):
            status, body = 502, b""
        elif self.path.startswith("/missing/"):
            status, body = 404, b"not found\n"
        elif self.path.endswith(".tar.gz"):
            # a stand-in release tarball, the same bytes for the same path
            status, ctype = 200, "application/gzip"
            body = ("stand-in tarball %s\n" % self.path).encode()
        else:
            status = 200
            body = ("<!doctype html><title>Element</title><p>Element for %s</p>\n"
                    % host).encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self._log(status)

    do_HEAD = do_GET


def addresses(spec):
    """A.B.C.D, or A.B.C.D-N for the last octet running from D to N."""
    first, _, last = spec.partition("-")
    a = ipaddress.IPv4Address(first)
    base, low = str(a).rsplit(".", 1)
    high = int(last) if last else int(low)
    return ["%s.%d" % (base, n) for n in range(int(low), high + 1)]


def main():
    global ARGS
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--addresses", default="127.0.100.1-16",
                    help="A.B.C.D or A.B.C.D-N (last octet range); loopback only")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--log")
    ARGS = ap.parse_args()
    addrs = addresses(ARGS.addresses)
    for a in addrs:
        if not ipaddress.IPv4Address(a).is_loopback:
            sys.exit("web_sim: %s: loopback addresses only" % a)
    for attempt in range(20):
        port = ARGS.port
        servers = []
        try:
            for a in addrs:
                s = ThreadingHTTPServer((a, port), Handler)
                port = s.server_address[1]
                servers.append(s)
            break
        except OSError:
            for s in servers:
                s.server_close()
            if ARGS.port:
                raise
    else:
        sys.exit("web_sim: no port free on every address")
    for s in servers:
        threading.Thread(target=s.serve_forever, daemon=True).start()
    simlib.announce(ARGS.port_file, port)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
