#!/usr/bin/env python3
"""matrix_sim: the Matrix endpoints of every attendee's homeserver, behind Caddy.

    python3 tests/sim/matrix_sim.py --port-file F [--knobs FILE] [--log FILE]

One HTTP server on 127.0.0.1 (Caddy's reverse_proxy /_matrix/* and
/.well-known/matrix/* point here); the homeserver answering is chosen by the
Host header, as Caddy passes it on.  It follows the specification:

  GET /_matrix/client/versions          {"versions": [...], "unstable_features": {}}
  GET /.well-known/matrix/server        {"m.server": "DOMAIN:443"}
  GET /.well-known/matrix/client        {"m.homeserver": {"base_url": "https://DOMAIN"}}
                                        with Access-Control-Allow-Origin: *
  GET /_matrix/federation/v1/version    {"server": {"name": ..., "version": ...}}
  GET /_matrix/key/v2/server            the server's ed25519 key, signed by itself
                                        (canonical JSON, unpadded base64)
  anything else                         404 {"errcode": "M_UNRECOGNIZED"}; 405 for
                                        other methods

--knobs is a JSON file {"DOMAIN": ["knob", ...]}, read again on every
request, so a test can break and mend servers while a board runs:

  fed502        federation and key endpoints answer 502 (a dead federation listener)
  wrong_name    key/v2/server says another server_name (signed by that name)
  expired       valid_until_ts an hour in the past
  badsig        the signature is over other bytes
  nocors        .well-known/matrix/client without Access-Control-Allow-Origin
  slow:S        wait S seconds before answering (S > the checker's timeout: hung)
  hs:NAME/VER   the homeserver's name and version (default Synapse/1.98.0)

Each request is logged to --log as JSON lines with its start and end time.
Needs python3-cryptography (Ed25519).
"""
import argparse
import base64
import hashlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

import simlib  # tests/sim/simlib.py

LOG_LOCK = threading.Lock()
VERSIONS = ["r0.5.0", "r0.6.0", "r0.6.1", "v1.1", "v1.2", "v1.3", "v1.4", "v1.5",
            "v1.6", "v1.7", "v1.8", "v1.9", "v1.10", "v1.11"]


def b64(raw):
    """Matrix's unpadded base64."""
    return base64.b64encode(raw).decode().rstrip("=")


def canonical(obj):
    return json.dumps(obj, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8")


def signing_key(domain):
    # the same key for the same server on every run (a stable key id)
    return Ed25519PrivateKey.from_private_bytes(hashlib.sha256(domain.encode()).digest())


def knobs_for(domain):
    if not ARGS.knobs:
        return {}
    try:
        with open(ARGS.knobs) as f:
            table = json.load(f)
    except (OSError, ValueError):
        return {}
    out = {}
    for k in table.get(domain, []):
        name, _, val = k.partition(":")
        out[name] = val
    return out


def key_document(domain, knobs):
    name = "wrong.example.net" if "wrong_name" in knobs else domain
    sk = signing_key(name)
    pub = sk.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    now_ms = int(time.time() * 1000)
    until = now_ms - 3600 * 1000 if "expired" in knobs else now_ms + 7 * 86400 * 1000
    doc = {"server_name": name, "valid_until_ts": until,
           "verify_keys": {"ed25519:auto": {"key": b64(pub)}}, "old_verify_keys": {}}
    signed = canonical(doc) + (b"x" if "badsig" in knobs else b"")
    doc["signatures"] = {name: {"ed25519:auto": b64(sk.sign(signed))}}
    return doc


class Handler(BaseHTTPRequestHandler):
    server_version = "Synapse"
    sys_version = ""
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def _log(self, t0, domain, status):
        if not ARGS.log:
            return
        line = json.dumps({"start": t0, "end": time.time(), "host": domain,
                           "path": self.path, "status": status})
        with LOG_LOCK, open(ARGS.log, "a") as f:
            f.write(line + "\n")

    def _send(self, status, obj, headers=()):
        body = b"" if obj is None else json.dumps(obj).encode()
        self.send_response(status)
        if obj is not None:
            self.send_header("Content-Type", "application/json")
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        return status

    def do_GET(self):
        t0 = time.time()
        domain = (self.headers.get("Host") or "").rsplit(":", 1)[0]
        knobs = knobs_for(domain)
        if "slow" in knobs:
            time.sleep(float(knobs["slow"] or 1))
        path = self.path.split("?", 1)[0]
        hs_name, _, hs_version = (knobs.get("hs") or "Synapse/1.98.0").partition("/")
        if path == "/_matrix/client/versions":
            st = self._send(200, {"versions": VERSIONS, "unstable_features": {}})
        elif path == "/.well-known/matrix/server":
            st = self._send(200, {"m.server": "%s:443" % domain})
        elif path == "/.well-known/matrix/client":
            hdr = () if "nocors" in knobs else (("Access-Control-Allow-Origin", "*"),)
            st = self._send(200, {"m.homeserver": {"base_url": "https://%s" % domain}}, hdr)
        elif path.startswith(("/_matrix/federation/", "/_matrix/key/")) and "fed502" in knobs:
            st = self._send(502, None)
        elif path == "/_matrix/federation/v1/version":
            st = self._send(200, {"server": {"name": hs_name, "version": hs_version}})
        elif path == "/_matrix/key/v2/server":
            st = self._send(200, key_document(domain, knobs))
        else:
            st = self._send(404, {"errcode": "M_UNRECOGNIZED", "error": "Unrecognized request"})
        self._log(t0, domain, st)

    def _not_allowed(self):
        self._send(405, {"errcode": "M_UNRECOGNIZED", "error": "Unrecognized request"})

    do_POST = do_PUT = do_DELETE = _not_allowed


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 512    # every server's requests arrive at once


def main():
    global ARGS
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--knobs")
    ap.add_argument("--log")
    ARGS = ap.parse_args()
    srv = Server(("127.0.0.1", ARGS.port), Handler)
    simlib.announce(ARGS.port_file, srv.server_address[1])
    simlib.serve(srv)


if __name__ == "__main__":
    main()
