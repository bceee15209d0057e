#!/usr/bin/env python3
"""ovh_sim: a strict stand-in for the OVH API v1 (/1.0), DNS zone part.

Checks every signature like the real API:
  "$1$" + hex(SHA1(AS+"+"+CK+"+"+METHOD+"+"+URL+"+"+BODY+"+"+TS))
with URL = the full URL as the client sent it (scheme, Host header, path
and query, byte for byte) and BODY = the bytes received ("" for GET and
DELETE, whatever was sent: a body sent with them breaks the signature as
on the real API).  Stdlib only.

Start: ovh_sim.py --port-file F [--log F] [knobs]; binds 127.0.0.1:0 and
writes the port to F.  The client's endpoint is http://127.0.0.1:PORT/1.0.
Control and inspection (unsigned): GET /_sim/state, POST /_sim/fail
{"count":N,"status":S,"retry_after":"0","drop":false,"path":"substring",
"method":"POST","after":false}; with "after", the request is carried out
first and then its answer is lost ("drop") or replaced by status S.
POST /_sim/knobs {"error_rate":0.2,"drop_rate":0,"lose_rate":0,
"latency_ms":0,"rate_limit":0,"id_zero":0} changes those knobs at run time.
"""
import argparse
import hashlib
import ipaddress
import json
import random
import re
import socket
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import simlib  # tests/sim/simlib.py

FIELD_TYPES = ("A", "AAAA", "CAA", "CNAME", "DKIM", "DMARC", "DNAME", "LOC",
               "MX", "NAPTR", "NS", "PTR", "SPF", "SRV", "SSHFP", "TLSA",
               "TXT")
ID_BASE = 5_226_221_090_000_000_000  # ids above 2^53, as the real API has


def sign(secret, ck, method, url, body, ts):
    raw = "+".join([secret, ck, method, url, body, ts]).encode("utf-8")
    return "$1$" + hashlib.sha1(raw).hexdigest()


LOG_LOCK = threading.Lock()


class State:
    def __init__(self, a):
        self.a = a
        self.lock = threading.Lock()
        self.records = {}       # id -> dict (API shape)
        self.live = {}          # id -> dict: what the DNS servers serve
        self.protected = set()  # ids the client must never touch
        self.next_id = ID_BASE + random.randrange(1, 1000) * 1000
        self.counts = {}        # "METHOD /route" -> n
        self.refreshes = 0
        self.violations = []
        self.fail = []          # one-shot failures from --fail-next / /_sim/fail
        self.id_zero = a.id_zero
        self.window = []        # timestamps of recent signed requests
        self.log = open(a.log, "a", buffering=1) if a.log else None

    def new_id(self):
        self.next_id += random.randrange(1, 97)
        return self.next_id

    def add(self, sub, ftype, target, ttl=0, protected=False, live=True):
        rid = self.new_id()
        rec = {"id": rid, "zone": self.a.zone, "subDomain": sub,
               "fieldType": ftype, "target": target, "ttl": ttl}
        self.records[rid] = rec
        if live:
            self.live[rid] = dict(rec)
        if protected:
            self.protected.add(rid)
        return rec

    def seed(self):
        a = self.a
        self.add("", "A", "192.0.2.1", 3600, True)
        self.add("", "TXT", "\"v=spf1 -all\"", 3600, True)
        self.add("www", "A", "192.0.2.2", 3600, True)
        for ns in a.namespace:
            self.add("a.b." + ns, "A", "192.0.2.3", 60, True)
            self.add("bob." + ns + "x", "A", "192.0.2.4", 60, True)
            self.add("bob.x" + ns, "A", "192.0.2.5", 60, True)
            self.add("bob-" + ns, "A", "192.0.2.6", 60, True)
            self.add("txt." + ns, "TXT", "keep me", 60, True)
            self.add("mx." + ns, "MX", "10 mail.example.net.", 60, True)
            self.add(ns, "A", "192.0.2.7", 60, True)
            self.add("bob.other-" + ns, "A", "192.0.2.8", 60, True)
        for i in range(a.populate):
            ns = a.namespace[0]
            self.add("h%04d.%s" % (i, ns), "A", "198.51.100.%d" % (i % 250 + 1))
        for spec in a.record:
            # SUB:TYPE:TARGET, e.g. alice.my-event:A:203.0.113.5
            sub, ftype, target = spec.split(":", 2)
            self.add(sub, ftype, target, 60)

    def snapshot(self):
        def out(rec):
            r = dict(rec)
            r["id"] = str(r["id"])
            r["pending"] = (rec["id"] not in self.live or
                            self.live[rec["id"]] != rec)
            r["protected"] = rec["id"] in self.protected
            return r
        gone = [str(i) for i in self.live if i not in self.records]
        return {"zone": self.a.zone,
                "records": [out(r) for r in self.records.values()],
                "pending_deletes": gone,
                "refreshes": self.refreshes,
                "counts": self.counts,
                "violations": self.violations}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "ovh-sim/1"

    def log_message(self, fmt, *args):
        pass

    # --- plumbing ---------------------------------------------------------
    def reply(self, status, obj, headers=None, raw=None):
        f, self._after = getattr(self, "_after", None), None
        if f:
            # the request was carried out; its answer is lost or replaced
            if f.get("drop"):
                self._status = -2
                self.record()
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            status, obj, raw = f["status"], {"class": "Server::InternalServerError",
                                             "message": "Internal server error"}, None
        body = raw if raw is not None else json.dumps(obj, separators=(",", ":")).encode()
        self._status = status
        # logged before the client can see the answer: a test that reads the
        # log after its request has returned finds the line there
        self.record()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Ovh-Queryid", "EU.ext-sim.%08x" % random.getrandbits(32))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def err_code(self, status, code, message):
        # older shape: httpCode is a string
        st = self.st
        if st.a.error_style == "class":
            return self.err_class(status, "Client::Forbidden" if status == 403
                                  else "Client::BadRequest", message, code)
        reason = {400: "Bad Request", 403: "Forbidden", 404: "Not Found",
                  429: "Too Many Requests"}.get(status, "Error")
        self._errcode = code
        self.reply(status, {"errorCode": code, "httpCode": "%d %s" % (status, reason),
                            "message": message})

    def err_class(self, status, cls, message, code=None):
        st = self.st
        if st.a.error_style == "code" and code:
            return self.err_code(status, code, message)
        self._errcode = code or cls
        self.reply(status, {"class": cls, "message": message})

    def do_GET(self):
        self.handle_any("GET")

    def do_POST(self):
        self.handle_any("POST")

    def do_DELETE(self):
        self.handle_any("DELETE")

    def do_PUT(self):
        self.handle_any("PUT")

    def handle_any(self, method):
        st = self.st = self.server.state
        a = st.a
        self._status = 0
        self._errcode = None
        self._logged = False
        self._after = None
        n = int(self.headers.get("Content-Length") or 0)
        body = self._body = self.rfile.read(n) if n else b""
        path, _, query = self.path.partition("?")
        self._t0 = time.time()
        try:
            if path.startswith("/_sim/"):
                return self.control(method, path, body)
            if a.latency_ms:
                time.sleep(a.latency_ms / 1000.0)
            with st.lock:
                f = self.pick_failure(path, method)
            if f and f.get("after"):
                self._after, f = f, None
            if f:
                if f.get("drop"):
                    self._status = -1
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                hdr = {}
                if f.get("retry_after") is not None:
                    hdr["Retry-After"] = str(f["retry_after"])
                if f["status"] == 429:
                    self._errcode = "TOO_MANY_REQUESTS"
                    return self.reply(429, {"class": "Client::TooManyRequests",
                                            "message": "Too many requests"}, hdr)
                return self.reply(f["status"], {"class": "Server::InternalServerError",
                                                "message": "Internal server error"}, hdr)
            if a.error_rate and random.random() < a.error_rate:
                return self.reply(500, {"class": "Server::InternalServerError",
                                        "message": "Internal server error"})
            if a.drop_rate and random.random() < a.drop_rate:
                self._status = -1
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            if a.lose_rate and random.random() < a.lose_rate:
                self._after = {"drop": True}
            self.api(method, path, query, body)
        finally:
            self.record()	# dropped connections

    def record(self):
        st = self.st
        path, _, query = self.path.partition("?")
        if self._logged or not st.log or path.startswith("/_sim/"):
            return
        self._logged = True
        with LOG_LOCK:
            st.log.write(json.dumps({
                "t": round(self._t0, 3), "method": self.command, "path": path,
                "query": query, "status": self._status,
                "batch": self.headers.get("X-Ovh-Batch"),
                "error": self._errcode, "body_len": len(self._body)}) + "\n")

    def pick_failure(self, path, method):
        st = self.st
        for f in st.fail:
            if f["count"] > 0 and f.get("path", "") in path and \
                    f.get("method", method) == method:
                f["count"] -= 1
                return f
        return None

    def control(self, method, path, body):
        st = self.st
        with st.lock:
            if path == "/_sim/state" and method == "GET":
                return self.reply(200, st.snapshot())
            if path == "/_sim/fail" and method == "POST":
                f = json.loads(body or b"{}")
                f.setdefault("count", 1)
                f.setdefault("status", 500)
                st.fail.append(f)
                return self.reply(200, None)
            if path == "/_sim/knobs" and method == "POST":
                # the rate knobs and --id-zero, as on the command line
                k = json.loads(body or b"{}")
                for name, v in k.items():
                    name = name.replace("-", "_")
                    if name == "id_zero":
                        st.id_zero = int(v)
                    elif name in ("error_rate", "drop_rate", "lose_rate", "latency_ms",
                                  "rate_limit"):
                        setattr(st.a, name, v)
                    else:
                        return self.reply(400, {"class": "Client::BadRequest",
                                                "message": "unknown knob %s" % name})
                return self.reply(200, None)
        return self.reply(404, {"class": "Client::NotFound", "message": "no such control"})

    # --- the API ------------------------------------------------------------
    def api(self, method, path, query, body):
        st = self.st
        a = st.a
        if not path.startswith("/1.0/"):
            return self.err_class(404, "Client::NotFound", "This service does not exist")
        route = path[4:]
        now = int(time.time()) + a.clock_skew
        if route == "/auth/time" and method == "GET":
            return self.reply(200, now)
        # authentication, in the order the real API reports problems
        ak = self.headers.get("X-Ovh-Application")
        if ak != a.app_key:
            return self.err_code(403, "INVALID_KEY", "Invalid application key")
        ck = self.headers.get("X-Ovh-Consumer")
        if ck is None:
            return self.err_code(401, "NOT_AUTHENTICATED",
                                 "You must login first")
        if ck != a.consumer_key:
            return self.err_code(403, "NOT_CREDENTIAL", "This credential does not exist")
        if a.invalid_credential:
            return self.err_code(403, "INVALID_CREDENTIAL", "This credential is not valid")
        ts = self.headers.get("X-Ovh-Timestamp", "")
        sig = self.headers.get("X-Ovh-Signature", "")
        if not re.fullmatch(r"[0-9]{1,12}", ts):
            return self.err_code(400, "INVALID_SIGNATURE", "Invalid signature")
        if abs(int(ts) - now) > a.time_window:
            return self.err_code(400, "QUERY_TIME_OUT", "Query out of time")
        host = self.headers.get("Host", "")
        url = "http://" + host + self.path
        signed_body = "" if method in ("GET", "DELETE") else body.decode("utf-8", "replace")
        if sig != sign(a.app_secret, ck, method, url, signed_body, ts):
            return self.err_code(400, "INVALID_SIGNATURE", "Invalid signature")
        for rule in a.deny:
            m, _, pat = rule.partition(":")
            if m == method and re.fullmatch(pat.replace("*", "[^?]*"), route):
                return self.err_code(403, "NOT_GRANTED_CALL", "This call has not been granted")
        with st.lock:
            if a.rate_limit:
                st.window = [t for t in st.window if t > time.time() - 1.0]
                if len(st.window) >= a.rate_limit:
                    self._errcode = "TOO_MANY_REQUESTS"
                    return self.reply(429, {"class": "Client::TooManyRequests",
                                            "message": "Too many requests"},
                                      {"Retry-After": "1"})
                st.window.append(time.time())
            return self.zone_api(method, route, query, body)

    def zone_api(self, method, route, query, body):
        st = self.st
        a = st.a
        m = re.fullmatch(r"/domain/zone/([^/]+)(/.*)?", route)
        if not m or urllib.parse.unquote(m.group(1)) != a.zone:
            return self.err_class(404, "Client::NotFound", "This service does not exist")
        rest = m.group(2) or ""
        key = method + " " + re.sub(r"/record/[^/]+$", "/record/{id}", "/domain/zone/{zone}" + rest)
        st.counts[key] = st.counts.get(key, 0) + 1
        if rest == "" and method == "GET":
            return self.reply(200, {"name": a.zone, "hasDnsAnycast": False,
                                    "dnssecSupported": True,
                                    "lastUpdate": "2026-11-25T10:00:00+01:00",
                                    "nameServers": ["dns200.anycast.me", "ns200.anycast.me"]})
        if rest == "/refresh" and method == "POST":
            if body:
                return self.err_class(400, "Client::BadRequest", "Invalid body")
            st.refreshes += 1
            st.live = {i: dict(r) for i, r in st.records.items()}
            return self.reply(200, None)
        if rest == "/record" and method == "GET":
            return self.list_records(query)
        if rest == "/record" and method == "POST":
            return self.create(body)
        rm = re.fullmatch(r"/record/([^/]+)", rest)
        if rm and method == "GET":
            return self.get_records(rm.group(1))
        if rm and method == "DELETE":
            rid = rm.group(1)
            if not re.fullmatch(r"[0-9]+", rid):
                return self.err_class(400, "Client::BadRequest",
                                      "Invalid parameter id: not a long")
            rid = int(rid)
            if rid not in st.records:
                return self.err_class(404, "Client::NotFound",
                                      "The requested object (id = %d) does not exist" % rid)
            if rid in st.protected:
                st.violations.append({"deleted": str(rid), "subDomain": st.records[rid]["subDomain"]})
            del st.records[rid]
            return self.reply(200, None)
        return self.err_class(404, "Client::NotFound", "This service does not exist")

    def list_records(self, query):
        st = self.st
        q = urllib.parse.parse_qs(query, keep_blank_values=True)
        for k in q:
            if k not in ("fieldType", "subDomain"):
                return self.err_class(400, "Client::BadRequest",
                                      "Unknown parameter %s" % k)
        ft = q.get("fieldType", [None])[0]
        sub = q.get("subDomain", [None])[0]
        if ft is not None and ft not in FIELD_TYPES:
            return self.err_class(400, "Client::BadRequest",
                                  "Invalid value for parameter fieldType")
        rx = None
        if sub is not None:
            # "(like)": SQL LIKE '%sub%', case-insensitive; % and _ are wildcards
            pat = "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in sub)
            rx = re.compile(".*" + pat + ".*", re.I | re.S)
        ids = [r["id"] for r in st.records.values()
               if (ft is None or r["fieldType"] == ft) and
               (rx is None or rx.fullmatch(r["subDomain"]))]
        return self.reply(200, ids)

    def get_records(self, idpart):
        st = self.st
        sep = self.headers.get("X-Ovh-Batch")
        if sep and not st.a.no_batch:
            parts = idpart.split(urllib.parse.unquote(sep) if sep else ",")
            if len(parts) > st.a.batch_max:
                return self.err_class(400, "Client::BadRequest",
                                      "Too many elements in batch (max %d)" % st.a.batch_max)
            out = []
            for p in parts:
                if re.fullmatch(r"[0-9]+", p) and int(p) in st.records:
                    out.append({"key": p, "value": st.records[int(p)], "error": None})
                else:
                    out.append({"key": p, "value": None,
                                "error": "The requested object (id = %s) does not exist" % p})
            return self.reply(200, out)
        if not re.fullmatch(r"[0-9]+", idpart):
            return self.err_class(400, "Client::BadRequest",
                                  "Invalid parameter id: not a long")
        rid = int(idpart)
        if rid not in st.records:
            return self.err_class(404, "Client::NotFound",
                                  "The requested object (id = %d) does not exist" % rid)
        return self.reply(200, st.records[rid])

    def create(self, body):
        st = self.st
        try:
            d = json.loads(body)
        except ValueError:
            return self.err_class(400, "Client::BadRequest", "Invalid JSON body")
        if not isinstance(d, dict):
            return self.err_class(400, "Client::BadRequest", "Invalid JSON body")
        for k in d:
            if k not in ("fieldType", "subDomain", "target", "ttl"):
                return self.err_class(400, "Client::BadRequest", "Unknown parameter %s" % k)
        ft, target = d.get("fieldType"), d.get("target")
        sub, ttl = d.get("subDomain", ""), d.get("ttl", 0)
        if ft is None or target is None:
            return self.err_class(400, "Client::BadRequest",
                                  "Missing parameter: %s" % ("fieldType" if ft is None else "target"))
        if ft not in FIELD_TYPES:
            return self.err_class(400, "Client::BadRequest", "Invalid value for fieldType")
        if not isinstance(sub, str) or not isinstance(target, str) or \
                not isinstance(ttl, int) or isinstance(ttl, bool) or ttl < 0:
            return self.err_class(400, "Client::BadRequest", "Invalid parameter type")
        try:
            if ft == "A":
                ipaddress.IPv4Address(target)
            elif ft == "AAAA":
                ipaddress.IPv6Address(target)
        except ValueError:
            return self.err_class(400, "Client::BadRequest", "Invalid target for %s record" % ft)
        rec = st.add(sub, ft, target, ttl, live=False)
        if st.id_zero > 0:
            # the known bug: the record is created, the answer says id 0
            st.id_zero -= 1
            return self.reply(200, dict(rec, id=0))
        return self.reply(200, rec)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--port-file", required=True)
    p.add_argument("--log", help="NDJSON request log (appended)")
    p.add_argument("--zone", default="example.com")
    p.add_argument("--namespace", action="append",
                   help="namespace(s) to surround with untouchable records")
    p.add_argument("--app-key", default="sim-ak")
    p.add_argument("--app-secret", default="sim-as")
    p.add_argument("--consumer-key", default="sim-ck")
    p.add_argument("--invalid-credential", action="store_true",
                   help="the consumer key exists but is not valid")
    p.add_argument("--deny", action="append", default=[],
                   help="METHOD:/route/* refused with NOT_GRANTED_CALL")
    p.add_argument("--clock-skew", type=int, default=0,
                   help="server clock minus real clock, seconds")
    p.add_argument("--time-window", type=int, default=30,
                   help="accepted |timestamp - server time|, seconds")
    p.add_argument("--populate", type=int, default=0,
                   help="N live A records hNNNN.{first namespace}")
    p.add_argument("--record", action="append", default=[],
                   help="extra live record SUB:TYPE:TARGET")
    p.add_argument("--id-zero", type=int, default=0,
                   help="the first N creations answer id 0")
    p.add_argument("--no-batch", action="store_true",
                   help="ignore X-Ovh-Batch (as if the feature were gone)")
    p.add_argument("--batch-max", type=int, default=100)
    p.add_argument("--error-style", choices=("mixed", "code", "class"), default="mixed")
    p.add_argument("--latency-ms", type=int, default=0)
    p.add_argument("--error-rate", type=float, default=0.0)
    p.add_argument("--drop-rate", type=float, default=0.0)
    p.add_argument("--lose-rate", type=float, default=0.0,
                   help="share of requests carried out whose answer is then lost")
    p.add_argument("--fail-next", type=int, default=0,
                   help="the next N API requests answer --fail-status")
    p.add_argument("--fail-status", type=int, default=503)
    p.add_argument("--fail-path", default="", help="only requests whose path contains this")
    p.add_argument("--fail-method", default=None, help="only requests of this method")
    p.add_argument("--fail-after", action="store_true",
                   help="carry the request out first, then fail its answer (status 0: lose it)")
    p.add_argument("--retry-after", default=None)
    p.add_argument("--rate-limit", type=int, default=0,
                   help="signed requests per second before 429")
    p.add_argument("--seed", type=int, default=None)
    a = p.parse_args()
    if not a.namespace:
        a.namespace = ["my-super-event"]
    random.seed(a.seed)
    st = State(a)
    st.seed()
    if a.fail_next:
        f = {"count": a.fail_next, "status": a.fail_status, "path": a.fail_path,
             "retry_after": a.retry_after, "drop": a.fail_status == 0,
             "after": a.fail_after}
        if a.fail_method:
            f["method"] = a.fail_method
        st.fail.append(f)
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    srv.state = st
    simlib.announce(a.port_file, srv.server_address[1])
    simlib.serve(srv)


if __name__ == "__main__":
    sys.exit(main())
