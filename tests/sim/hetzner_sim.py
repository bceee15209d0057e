#!/usr/bin/env python3
"""hetzner_sim: a strict stand-in for the Hetzner Cloud API (/v1): servers,
actions, locations, and DNS zones with their RRsets, behind one Bearer token
and one rate limit, as the real API is.  Python 3 standard library only.

    python3 tests/sim/hetzner_sim.py --port-file F [--log F] [knobs]

Binds 127.0.0.1 on a free port and writes it to --port-file.  The client's
endpoint is http://127.0.0.1:PORT/v1.  Every request is logged to --log as
one JSON line {"t", "method", "path", "query", "status", "code"} (never a
body or a token).

Strict as the API reference (docs.hetzner.cloud, mirrored in the OpenAPI
file of APIs-guru/openapi-directory) and hcloud-go say: 401 unauthorized
without the token; unknown body fields and bad values are 422 invalid_input
with details.fields; server names unique per project (409
uniqueness_error); label selectors parsed (k=v, k==v, k!=v, k, !k, k in
(..), k notin (..), comma = and); page/per_page (at most 50) with
meta.pagination; actions run for --build-delay seconds; RateLimit-Limit,
-Remaining, -Reset on every answer, one request back per 3600/limit
seconds, 429 rate_limit_exceeded when none is left.

Control (no token, not rate limited): GET /_sim/state; POST /_sim/fail
{"count":N, "status":S, "drop":"before"|"after", "delay":SECONDS,
"method":"POST", "path":"substring"}; POST /_sim/knobs {"remaining":N,...}.
"""
import argparse
import ipaddress
import json
import random
import re
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import simlib  # tests/sim/simlib.py

LOCK = threading.RLock()
LOCATIONS = ["fsn1", "nbg1", "hel1", "ash", "hil", "sin"]
SERVER_TYPES = {"cx22": 1, "cx32": 2, "cpx11": 3, "cax11": 4}
# name -> (cores, memory GB, disk GB), as GET /server_types tells them
SERVER_TYPE_SPECS = {"cx22": (2, 4.0, 40), "cx32": (4, 8.0, 80), "cpx11": (2, 2.0, 40),
                     "cax11": (2, 4.0, 40)}
IMAGES = {"debian-12": 114690387, "debian-13": 161547269, "ubuntu-24.04": 161547270}
SSH_KEYS = {"party-key": 2323}
NETWORKS = {4711}
FIREWALLS = {815}
RRTYPES = ("A", "AAAA", "CAA", "CNAME", "DS", "HINFO", "HTTPS", "MX", "NS",
           "PTR", "RP", "SOA", "SRV", "SVCB", "TLSA", "TXT")
SERVER_FIELDS = {"name", "server_type", "image", "location", "ssh_keys",
                 "user_data", "start_after_create", "labels", "automount",
                 "volumes", "networks", "firewalls", "placement_group",
                 "public_net"}
RRSET_FIELDS = {"name", "type", "ttl", "labels", "records"}
LIST_QUERY = {"page", "per_page", "sort", "name", "label_selector", "status",
              "type", "mode", "id"}
ID_BASE = 9_007_199_254_750_000   # above 2^53: ids must stay exact
LABEL_RE = re.compile(r"^([a-z0-9]([a-z0-9.-]*[a-z0-9])?/)?"
                      r"[a-zA-Z0-9]([a-zA-Z0-9_.-]{0,61}[a-zA-Z0-9])?$")
VALUE_RE = re.compile(r"^([a-zA-Z0-9]([a-zA-Z0-9_.-]{0,61}[a-zA-Z0-9])?)?$")
HOST_RE = re.compile(r"^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?"
                     r"(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$")


class Invalid(Exception):
    def __init__(self, field, msg):
        super().__init__(msg)
        self.field, self.msg = field, msg


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(t))


def parse_selector(sel):
    """A label selector as a list of predicates, or Invalid."""
    terms, depth, cur = [], 0, ""
    for ch in sel:
        if ch == "," and depth == 0:
            terms.append(cur)
            cur = ""
            continue
        depth += ch == "("
        depth -= ch == ")"
        cur += ch
    terms.append(cur)
    preds = []
    for t in (x.strip() for x in terms):
        m = re.match(r"^(\S+?)\s+(in|notin)\s+\(([^()]*)\)$", t)
        if m:
            k, op, vals = m.group(1), m.group(2), [v.strip() for v in m.group(3).split(",")]
            if not LABEL_RE.match(k) or not all(VALUE_RE.match(v) for v in vals):
                raise Invalid("label_selector", "invalid label selector")
            preds.append((k, op, vals))
            continue
        m = re.match(r"^([^=!\s]+)\s*(==|=|!=)\s*([^=!\s]*)$", t)
        if m:
            k, op, v = m.groups()
            if not LABEL_RE.match(k) or not VALUE_RE.match(v):
                raise Invalid("label_selector", "invalid label selector")
            preds.append((k, "==" if op in ("=", "==") else "!=", v))
            continue
        m = re.match(r"^(!?)([^=!\s()]+)$", t)
        if m and LABEL_RE.match(m.group(2)):
            preds.append((m.group(2), "absent" if m.group(1) else "present", None))
            continue
        raise Invalid("label_selector", "invalid label selector")
    return preds


def matches(labels, preds):
    for k, op, v in preds:
        have = labels.get(k)
        if op == "==" and have != v:
            return False
        if op == "!=" and have == v:
            return False
        if op == "present" and have is None:
            return False
        if op == "absent" and have is not None:
            return False
        if op == "in" and have not in v:
            return False
        if op == "notin" and have in v:
            return False
    return True


class State:
    def __init__(self, a):
        self.a = a
        self.next_id = ID_BASE + random.randrange(1, 1000) * 1000
        self.servers = {}       # id -> server
        self.actions = {}       # id -> action (+ "_done_at", "_then")
        self.zones = {}         # id -> zone
        self.rrsets = {}        # (zone id, name, type) -> rrset
        self.protected = set()  # rrset keys the client must never touch
        self.violations = []
        self.fail = []
        self.loopback = 0
        self.remaining = float(a.remaining if a.remaining is not None else a.rate_limit)
        self.refilled = time.time()
        self.counts = {}
        self.received = {}      # "METHOD /path" -> n, counted on arrival
        self.log = open(a.log, "a", buffering=1) if a.log else None

    def new_id(self):
        self.next_id += random.randrange(1, 50)
        return self.next_id

    # --- servers
    def add_server(self, name, labels, status="running", made=False):
        sid = self.new_id()
        n = len(self.servers) + 1
        if made and self.a.loopback_servers:
            self.loopback += 1
            v4 = "127.0.100.%d" % self.loopback
        else:
            v4 = "198.51.100.%d" % (n % 250 + 1)
        s = {"id": sid, "name": name, "status": status, "created": iso(time.time()),
             "labels": dict(labels),
             "public_net": {"ipv4": {"id": sid + 1, "ip": v4, "blocked": False,
                                     "dns_ptr": "static.%s.clients.your-server.de" % v4},
                            "ipv6": {"id": sid + 2, "ip": "2001:db8:%x::/64" % n,
                                     "blocked": False, "dns_ptr": []},
                            "floating_ips": [], "firewalls": []},
             "private_net": [],
             "server_type": {"name": "cx22"}, "image": {"name": "debian-12"},
             "location": {"name": "fsn1"}, "protection": {"delete": False, "rebuild": False}}
        self.servers[sid] = s
        return s

    def action(self, command, rid, rtype, then=None, fail=None):
        aid = self.new_id()
        a = {"id": aid, "command": command, "status": "running", "progress": 0,
             "started": iso(time.time()), "finished": None, "error": None,
             "resources": [{"id": rid, "type": rtype}]}
        a["_done_at"] = time.time() + self.a.build_delay
        a["_then"] = then
        a["_fail"] = fail
        self.actions[aid] = a
        return a

    def tick(self):
        now = time.time()
        for a in list(self.actions.values()):
            if a["status"] == "running" and now >= a["_done_at"]:
                if a["_fail"]:
                    a["status"] = "error"
                    a["error"] = {"code": a["_fail"], "message": "simulated failure"}
                else:
                    a["status"] = "success"
                a["progress"] = 100
                a["finished"] = iso(now)
                if a["_then"] and not a["_fail"]:
                    a["_then"]()

    def seed(self):
        a = self.a
        for ns in a.namespace:
            self.add_server("%s-decoy" % ns, {})                            # no label
            self.add_server("%s-other" % ns, {"install-party": "other-" + ns})  # another namespace
            self.add_server("%s-x-ml" % ns, {"install-party": ns + "-x"})   # longer namespace
            self.add_server("%sx-abc" % ns, {"install-party": ns})          # prefix look-alike
            self.add_server("%s-Bad_Name" % ns, {"install-party": ns})      # not a label
            self.add_server("x%s-foo" % ns, {})
        for i in range(a.populate):
            self.add_server("%s-p%04d" % (a.namespace[0], i), {"install-party": a.namespace[0]})
        for i in range(a.filler):
            self.add_server("web-%04d" % i, {"role": "web"})
        zid = self.new_id()
        self.zones[zid] = {"id": zid, "name": a.zone, "mode": "primary", "ttl": 3600,
                           "status": "ok", "labels": {}, "record_count": 0,
                           "created": iso(time.time())}

        def rr(name, rtype, values, protected=True, ttl=3600):
            key = (zid, name, rtype)
            self.rrsets[key] = {"id": "%s/%s" % (name, rtype), "name": name, "type": rtype,
                                "ttl": ttl, "labels": {}, "zone": zid,
                                "protection": {"change": False},
                                "records": [{"value": v, "comment": None} for v in values]}
            if protected:
                self.protected.add(key)
        rr("@", "SOA", ["hydrogen.ns.hetzner.com. dns.hetzner.com. 2026120101 86400 10800 3600000 3600"])
        rr("@", "NS", ["hydrogen.ns.hetzner.com.", "oxygen.ns.hetzner.com."])
        rr("@", "A", ["192.0.2.1"])
        rr("@", "TXT", ['"v=spf1 -all"'])
        rr("www", "A", ["192.0.2.2"])
        rr("blog", "CNAME", ["www.example.com."])
        for ns in a.namespace:
            rr("a.b." + ns, "A", ["192.0.2.3"])
            rr("bob." + ns + "x", "A", ["192.0.2.4"])
            rr("bob.other-" + ns, "A", ["192.0.2.8"])
            rr("bob-" + ns, "A", ["192.0.2.6"])
            rr(ns, "A", ["192.0.2.7"])
            rr("txt." + ns, "TXT", ['"keep me"'])
            rr("cname." + ns, "CNAME", ["www.example.com."])
        for i in range(a.populate_dns):
            rr("h%04d.%s" % (i, a.namespace[0]), "A", ["198.51.100.%d" % (i % 250 + 1)], False, 60)

    def public(self, obj):
        return {k: v for k, v in obj.items() if not k.startswith("_")}

    def snapshot(self):
        return {"servers": list(self.servers.values()),
                "actions": [self.public(x) for x in self.actions.values()],
                "rrsets": [dict(r, protected=(r["zone"], r["name"], r["type"]) in self.protected)
                           for r in self.rrsets.values()],
                "violations": self.violations, "counts": self.counts,
                "received": self.received,
                "remaining": int(self.remaining)}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "hcloud-sim/1"

    def log_message(self, fmt, *args):
        pass

    def record(self):
        st = self.server.state
        u = urlsplit(self.path)
        line = {"t": round(time.time(), 3), "method": self.command, "path": u.path,
                "query": u.query, "status": self._status, "code": self._code}
        if st.log:
            with LOCK:
                st.log.write(json.dumps(line) + "\n")

    def reply(self, status, obj):
        st = self.server.state
        body = b"" if obj is None else json.dumps(obj, separators=(",", ":")).encode()
        self._status = status
        self.record()
        if self._fault and self._fault.get("drop") == "after":
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.send_response(status)
        if obj is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        if self._limited:
            lim = st.a.rate_limit
            rem = int(st.remaining)
            self.send_header("RateLimit-Limit", str(lim))
            self.send_header("RateLimit-Remaining", str(rem))
            self.send_header("RateLimit-Reset",
                             str(int(time.time() + (lim - st.remaining) * 3600.0 / lim)))
        self.end_headers()
        self.wfile.write(body)

    def error(self, status, code, message, details=None):
        self._code = code
        self.reply(status, {"error": {"code": code, "message": message, "details": details}})

    def invalid(self, field, msg):
        self.error(422, "invalid_input", "invalid input in field '%s': %s" % (field, msg),
                   {"fields": [{"name": field, "messages": [msg]}]})

    def do_GET(self):
        self.handle_any()

    def do_POST(self):
        self.handle_any()

    def do_DELETE(self):
        self.handle_any()

    def do_PUT(self):
        self.handle_any()

    def handle_any(self):
        st = self.server.state
        self._status, self._code, self._fault, self._limited = 0, None, None, False
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n else b""
        u = urlsplit(self.path)
        path, q = u.path, parse_qs(u.query, keep_blank_values=True)
        if path.startswith("/_sim/"):
            return self.control(path, raw)
        with LOCK:
            k = "%s %s" % (self.command, path)
            st.received[k] = st.received.get(k, 0) + 1
            for f in st.fail:
                if f["count"] > 0 and f.get("path", "") in path and \
                        f.get("method", self.command) == self.command:
                    f["count"] -= 1
                    self._fault = f
                    break
        f = self._fault
        if st.a.latency:
            time.sleep(st.a.latency)
        if f and f.get("delay"):
            time.sleep(f["delay"])
        if f and f.get("drop") == "before":
            self._status = -1
            self.record()
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        with LOCK:
            # the budget: refills limit/3600 a second, up to the limit
            now = time.time()
            st.remaining = min(float(st.a.rate_limit),
                               st.remaining + (now - st.refilled) * st.a.rate_limit / 3600.0)
            st.refilled = now
            self._limited = True
            if st.remaining < 1:
                return self.error(429, "rate_limit_exceeded", "limit of %d requests per hour "
                                  "reached" % st.a.rate_limit)
            st.remaining -= 1
            if f and f.get("status"):
                return self.error(f["status"], "server_error" if f["status"] >= 500
                                  else "conflict", "simulated failure")
            if self.headers.get("Authorization") != "Bearer " + st.a.token:
                return self.error(401, "unauthorized", "unable to authenticate")
            body = None
            if self.command in ("POST", "PUT"):
                if "application/json" not in (self.headers.get("Content-Type") or ""):
                    return self.error(400, "json_error", "no JSON content type")
                try:
                    body = json.loads(raw)
                except ValueError:
                    return self.error(400, "json_error", "invalid JSON")
                if not isinstance(body, dict):
                    return self.error(400, "json_error", "expected a JSON object")
            elif raw:
                return self.invalid("body", "no body expected")
            key = "%s %s" % (self.command, re.sub(r"/\d+", "/N", path))
            st.counts[key] = st.counts.get(key, 0) + 1
            st.tick()
            try:
                return self.route(path, q, body)
            except Invalid as e:
                return self.invalid(e.field, e.msg)

    # ---------------------------------------------------------- routes
    def route(self, path, q, body):
        st = self.server.state
        m = self.command
        for k in q:
            if k not in LIST_QUERY:
                raise Invalid(k, "unknown query parameter")
        if path == "/v1/locations" and m == "GET":
            locs = [{"id": i + 1, "name": n} for i, n in enumerate(LOCATIONS)]
            if "name" in q:
                locs = [x for x in locs if x["name"] == q["name"][0]]
            return self.page(q, "locations", locs)
        if path == "/v1/server_types" and m == "GET":
            ts = [{"id": i, "name": n, "description": n.upper(), "cores": c, "memory": mem,
                   "disk": d, "cpu_type": "shared", "architecture":
                   "arm" if n.startswith("cax") else "x86", "storage_type": "local",
                   "deprecated": False, "deprecation": None, "prices": []}
                  for n, i in SERVER_TYPES.items() for c, mem, d in [SERVER_TYPE_SPECS[n]]]
            if "name" in q:
                ts = [x for x in ts if x["name"] == q["name"][0]]
            return self.page(q, "server_types", ts)
        if path == "/v1/images" and m == "GET":
            ims = [self.image(n) for n in IMAGES]
            if "name" in q:
                ims = [x for x in ims if x["name"] == q["name"][0]]
            return self.page(q, "images", ims)
        mm = re.match(r"^/v1/images/(\d+)$", path)
        if mm and m == "GET":
            for n, i in IMAGES.items():
                if i == int(mm.group(1)):
                    return self.reply(200, {"image": self.image(n)})
            return self.error(404, "not_found", "image with ID '%s' not found" % mm.group(1))
        if path == "/v1/servers" and m == "GET":
            return self.list_servers(q)
        if path == "/v1/servers" and m == "POST":
            return self.create_server(body)
        mm = re.match(r"^/v1/servers/(\d+)$", path)
        if mm:
            s = st.servers.get(int(mm.group(1)))
            if s is None:
                return self.error(404, "not_found", "server with ID '%s' not found" % mm.group(1))
            if m == "GET":
                return self.reply(200, {"server": s})
            if m == "DELETE":
                return self.delete_server(s)
        if path == "/v1/actions" and m == "GET":
            if "id" not in q:
                return self.error(400, "invalid_input", "listing all actions is no longer "
                                  "supported: give id")
            ids = [int(x) for x in q["id"] if x.isdigit()]
            acts = [st.public(st.actions[i]) for i in sorted(ids) if i in st.actions]
            return self.page(q, "actions", acts)
        mm = re.match(r"^/v1/actions/(\d+)$", path)
        if mm and m == "GET":
            a = st.actions.get(int(mm.group(1)))
            if a is None:
                return self.error(404, "not_found", "action not found")
            return self.reply(200, {"action": st.public(a)})
        if path == "/v1/zones" and m == "GET":
            zs = list(st.zones.values())
            if "name" in q:
                zs = [z for z in zs if z["name"] == q["name"][0]]
            return self.page(q, "zones", zs)
        mm = re.match(r"^/v1/zones/([^/]+)(/rrsets(?:/([^/]+)/([^/]+))?)?$", path)
        if mm:
            z = self.zone(mm.group(1))
            if z is None:
                return self.error(404, "not_found", "zone not found")
            if mm.group(2) is None and m == "GET":
                return self.reply(200, {"zone": z})
            if mm.group(3) is None and m == "GET":
                return self.list_rrsets(z, q)
            if mm.group(3) is None and m == "POST":
                return self.create_rrset(z, body)
            if mm.group(3) is not None:
                key = (z["id"], mm.group(3), mm.group(4))
                rs = st.rrsets.get(key)
                if rs is None:
                    return self.error(404, "not_found", "rrset not found")
                if m == "GET":
                    return self.reply(200, {"rrset": rs})
                if m == "DELETE":
                    if key in st.protected:
                        st.violations.append("DELETE %s" % rs["id"])
                    del st.rrsets[key]
                    a = st.action("delete_rrset", z["id"], "zone")
                    return self.reply(201, {"action": st.public(a)})
        return self.error(404, "not_found", "no route %s %s" % (m, path))

    def image(self, name):
        return {"id": IMAGES[name], "name": name, "type": "system", "status": "available",
                "description": name.replace("-", " ").title(), "os_flavor": name.split("-")[0],
                "os_version": name.split("-")[1], "architecture": "x86", "labels": {},
                "created": "2024-01-01T00:00:00+00:00", "deprecated": None,
                "rapid_deploy": True, "protection": {"delete": False}}

    def zone(self, ref):
        st = self.server.state
        for z in st.zones.values():
            if str(z["id"]) == ref or z["name"] == ref:
                return z
        return None

    def page(self, q, key, items):
        try:
            page = int(q.get("page", ["1"])[0])
            per = int(q.get("per_page", ["25"])[0])
        except ValueError:
            raise Invalid("page", "must be an integer")
        if page < 1:
            raise Invalid("page", "must be at least 1")
        if per < 1 or per > 50:
            raise Invalid("per_page", "must be between 1 and 50")
        last = max(1, (len(items) + per - 1) // per)
        chunk = items[(page - 1) * per:page * per]
        return self.reply(200, {key: chunk, "meta": {"pagination": {
            "page": page, "per_page": per,
            "previous_page": page - 1 if page > 1 else None,
            "next_page": page + 1 if page < last else None,
            "last_page": last, "total_entries": len(items)}}})

    def list_servers(self, q):
        st = self.server.state
        items = sorted(st.servers.values(), key=lambda s: s["id"])
        if "label_selector" in q:
            preds = parse_selector(q["label_selector"][0])
            items = [s for s in items if matches(s["labels"], preds)]
        if "name" in q:
            items = [s for s in items if s["name"] == q["name"][0]]
        return self.page(q, "servers", items)

    def create_server(self, b):
        st = self.server.state
        for k in b:
            if k not in SERVER_FIELDS:
                raise Invalid(k, "unknown field")
        name = b.get("name")
        if not isinstance(name, str) or not HOST_RE.match(name) or len(name) > 63:
            raise Invalid("name", "must be a valid hostname")
        if b.get("server_type") not in SERVER_TYPES:
            raise Invalid("server_type", "server type not found")
        if b.get("image") not in IMAGES:
            raise Invalid("image", "image not found")
        if b.get("location") not in LOCATIONS:
            raise Invalid("location", "location not found")
        ud = b.get("user_data", "")
        if not isinstance(ud, str) or len(ud.encode()) > 32 * 1024:
            raise Invalid("user_data", "is limited to 32 KiB")
        labels = b.get("labels", {})
        if not isinstance(labels, dict) or not all(
                isinstance(v, str) and LABEL_RE.match(k) and VALUE_RE.match(v)
                and not k.startswith("hetzner.cloud/") for k, v in labels.items()):
            raise Invalid("labels", "invalid labels")
        for f in ("ssh_keys", "networks", "firewalls", "volumes"):
            if not isinstance(b.get(f, []), list):
                raise Invalid(f, "must be a list")
        if not isinstance(b.get("start_after_create", True), bool):
            raise Invalid("start_after_create", "must be a boolean")
        for k in b.get("ssh_keys", []):
            if k not in SSH_KEYS and k not in SSH_KEYS.values():
                raise Invalid("ssh_keys", "ssh key not found")
        for k in b.get("networks", []):
            if k not in NETWORKS:
                raise Invalid("networks", "network not found")
        for f in b.get("firewalls", []):
            if not isinstance(f, dict) or set(f) != {"firewall"} or f["firewall"] not in FIREWALLS:
                raise Invalid("firewalls", "firewall not found")
        if any(s["name"] == name for s in st.servers.values()):
            return self.error(409, "uniqueness_error", "server name is already used",
                              {"fields": [{"name": "name"}]})
        s = st.add_server(name, labels, status="initializing", made=True)
        s["_user_data"] = ud
        s["server_type"] = {"name": b["server_type"]}
        s["location"] = {"name": b["location"]}

        def started():
            s["status"] = "running"
        fail = "placement_error" if st.a.fail_create and name.endswith(st.a.fail_create) else None
        create = st.action("create_server", s["id"], "server", then=lambda: s.update(status="starting"),
                           fail=fail)
        start = st.action("start_server", s["id"], "server", then=started, fail=fail)
        start["_done_at"] += st.a.build_delay
        out = {k: v for k, v in s.items() if not k.startswith("_")}
        return self.reply(201, {"server": out, "action": st.public(create),
                                "next_actions": [st.public(start)],
                                "root_password": None if b.get("ssh_keys") else "simulated-root-pw"})

    def delete_server(self, s):
        st = self.server.state
        s["status"] = "deleting"
        a = st.action("delete_server", s["id"], "server",
                      then=lambda: st.servers.pop(s["id"], None))
        return self.reply(200, {"action": st.public(a)})

    def list_rrsets(self, z, q):
        st = self.server.state
        items = [r for r in st.rrsets.values() if r["zone"] == z["id"]]
        items.sort(key=lambda r: (r["name"], r["type"]))
        if "type" in q:
            types = q["type"]
            if any(t not in RRTYPES for t in types):
                raise Invalid("type", "unknown type")
            items = [r for r in items if r["type"] in types]
        if "name" in q:
            items = [r for r in items if r["name"] == q["name"][0]]
        return self.page(q, "rrsets", items)

    def create_rrset(self, z, b):
        st = self.server.state
        for k in b:
            if k not in RRSET_FIELDS:
                raise Invalid(k, "unknown field")
        name, rtype = b.get("name"), b.get("type")
        if not isinstance(name, str) or name.endswith(".") or \
                not (name == "@" or HOST_RE.match(name)) or name != name.lower():
            raise Invalid("name", "must be a relative, lower-case name")
        if rtype not in RRTYPES or rtype == "SOA":
            raise Invalid("type", "unsupported type")
        ttl = b.get("ttl")
        if ttl is not None and (not isinstance(ttl, int) or ttl < 60 or ttl > 2147483647):
            raise Invalid("ttl", "must be between 60 and 2147483647")
        recs = b.get("records")
        if not isinstance(recs, list) or not recs:
            raise Invalid("records", "must not be empty")
        for r in recs:
            if not isinstance(r, dict) or not set(r) <= {"value", "comment"} or \
                    not isinstance(r.get("value"), str):
                raise Invalid("records", "invalid record")
            if rtype == "A":
                try:
                    ipaddress.IPv4Address(r["value"])
                except ValueError:
                    raise Invalid("records", "invalid IPv4 address")
            if rtype == "AAAA":
                try:
                    ipaddress.IPv6Address(r["value"])
                except ValueError:
                    raise Invalid("records", "invalid IPv6 address")
        key = (z["id"], name, rtype)
        if key in st.rrsets:
            return self.error(409, "uniqueness_error", "rrset already exists",
                              {"fields": [{"name": "name"}, {"name": "type"}]})
        rs = {"id": "%s/%s" % (name, rtype), "name": name, "type": rtype, "ttl": ttl,
              "labels": b.get("labels", {}), "zone": z["id"], "protection": {"change": False},
              "records": [{"value": r["value"], "comment": r.get("comment")} for r in recs]}
        st.rrsets[key] = rs
        a = st.action("create_rrset", z["id"], "zone")
        return self.reply(201, {"rrset": rs, "action": st.public(a)})

    # ---------------------------------------------------------- control
    def control(self, path, raw):
        st = self.server.state
        self._limited = False
        with LOCK:
            st.tick()
            if path == "/_sim/state":
                return self.reply(200, st.snapshot())
            if path == "/_sim/fail":
                f = json.loads(raw)
                f.setdefault("count", 1)
                st.fail.append(f)
                return self.reply(200, {"ok": True})
            if path == "/_sim/knobs":
                k = json.loads(raw)
                if "remaining" in k:
                    st.remaining = float(k["remaining"])
                    st.refilled = time.time()
                for name in ("rate_limit", "build_delay"):
                    if name in k:
                        setattr(st.a, name, k[name])
                return self.reply(200, {"ok": True})
        return self.reply(404, {"error": "no such control"})


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log")
    ap.add_argument("--token", default="sim-hcloud-token")
    ap.add_argument("--namespace", action="append", default=None,
                    help="seed decoys around this namespace (repeatable)")
    ap.add_argument("--zone", default="example.com")
    ap.add_argument("--populate", type=int, default=0,
                    help="servers of the first namespace already there")
    ap.add_argument("--filler", type=int, default=0, help="unlabelled servers of others")
    ap.add_argument("--populate-dns", type=int, default=0,
                    help="A RRsets of the first namespace already there")
    ap.add_argument("--build-delay", type=float, default=0.3,
                    help="seconds each action runs")
    ap.add_argument("--rate-limit", type=int, default=3600, help="requests an hour")
    ap.add_argument("--latency", type=float, default=0, help="seconds added to every request")
    ap.add_argument("--remaining", type=int, help="requests left at start")
    ap.add_argument("--loopback-servers", action="store_true",
                    help="new servers get 127.0.100.N as their public IPv4")
    ap.add_argument("--fail-create", help="servers whose name ends so fail to start")
    a = ap.parse_args()
    a.namespace = a.namespace or ["party"]
    st = State(a)
    st.seed()
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    srv.state = st
    simlib.announce(a.port_file, srv.server_address[1])
    simlib.serve(srv)


if __name__ == "__main__":
    main()
