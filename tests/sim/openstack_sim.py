#!/usr/bin/env python3
"""openstack_sim: a strict, small OpenStack (Keystone v2.0/v3 + Nova v2.1)
simulator for the install-party tests.  Python 3 standard library only.

    python3 tests/sim/openstack_sim.py --port-file F [--log F] [knobs]

Binds 127.0.0.1 on a free port and writes the port number to --port-file
once it listens.  Every request is appended to --log as one JSON line:
{"t", "method", "path", "query", "status", "service", "region", "auth"}
(never a body, a password or a token).  See --help for the knobs; they can
also be changed at run time with POST /_sim/knobs {"name": value, ...}.

Layout (PORT is the chosen port):
  /, /v3, /v2.0              Keystone version discovery and auth
  /nova/REGION/v2.1/PROJECT  Nova (the catalog's public compute endpoints;
                             internal/admin ones point at a dead port)
  /_sim/servers              GET: every server, with decoded user_data
  /_sim/knobs                POST {"knob": value}: change a knob now
  /_sim/revoke               POST: every token dies (clients must re-auth)
  /_sim/reset-counters       POST: the *-first knobs count from zero again
  /_sim/seed                 POST {"name", "metadata", "created_ago" (s),
                             "flavor"}: an ACTIVE server made that long ago

Quotas (GET /limits, enforced on create): --quota instances, --quota-cores,
--quota-ram (MB); unset is unlimited (-1), as nova reports it.  Flavors
have vcpus and ram (GET /flavors/{id}); the image proxy GET /images/{id}
answers up to microversion 2.35 and 404s from 2.36 on, as nova does.

Cloud contents: user demo / s3cret-pass in domain Default, project
demo-project (id 0f3c7d2e9b8a4f61a5c4e3d2b1a09876); image
8f1c5e7a-3b2d-4c6e-9a1f-0d2e4b6c8a10; flavors d2-2, s1-2, 1 (1 vCPU), b2-7
(2 vCPUs, 7168 MB); key pair
party-key; networks Ext-Net (public IPv4 + IPv6), private (10.x fixed +
203.0.x floating), v6-only.  Already there: party-alpha, party-beta (tagged
install-party=party), party-gamma (untagged), my-party-db, partyx-abc,
xparty-foo, party, party-Bad_Name, party-e-ml (tagged party-e), webserver,
party-delta in the last region, and a server of another project.

--loopback-servers (demo): each new server is only on Ext-Net, with
accessIPv4 and its address 127.0.100.N (N = 1, 2, ...), so later tools can
reach "the server" on this machine.

A config for it:  instances: {provider: openstack, args: {auth_url:
http://127.0.0.1:PORT/v3, username: demo, password: s3cret-pass,
tenant_name: demo-project, region_name: RegionOne, image_id:
8f1c5e7a-3b2d-4c6e-9a1f-0d2e4b6c8a10, flavor_id: d2-2}}
"""
import argparse
import base64
import binascii
import datetime
import json
import random
import re
import secrets
import socket
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import simlib  # tests/sim/simlib.py

LOCK = threading.RLock()
ARGS = None
STATE = {
    "tokens": {},       # token -> {"project", "user", "expires", "uses"}
    "servers": {},      # (region, project) -> {id: server}
    "seq": 0,
    "requests": 0,      # compute requests seen (for the *-first knobs)
    "loopback": 0,
    "log": None,
}

DOMAIN_ID = "default"
DOMAIN_NAME = "Default"
USER_ID = "5c9b0f1e2a7d4c40b7d4a0d1e3f2a911"
IMAGES = {"8f1c5e7a-3b2d-4c6e-9a1f-0d2e4b6c8a10": "Debian 12"}
# id -> (name, vcpus, ram MB)
FLAVORS = {"d2-2": ("d2-2", 1, 2048), "s1-2": ("s1-2", 1, 2048), "1": ("m1.tiny", 1, 512),
           "b2-7": ("b2-7", 2, 7168)}
MAX_SERVER_META = 128
KEYPAIRS = {"party-key"}
NETWORKS = {
    # name -> (uuid, kind)
    "Ext-Net": ("b2c0f0d6-6f4e-4d3a-9c41-7f7d2f7e0001", "public"),
    "private": ("b2c0f0d6-6f4e-4d3a-9c41-7f7d2f7e0002", "private"),
    "v6-only": ("b2c0f0d6-6f4e-4d3a-9c41-7f7d2f7e0003", "v6"),
}
UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?"
                     r"[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$")
MAX_MICROVERSION = (2, 96)


def now():
    return time.time()


def iso(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ")


def iso_us(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%S.%fZ")


# ---------------------------------------------------------------- servers

def addresses_for(n, nets):
    """Addresses of server number n on the given networks (names)."""
    out = {}
    # only servers made through the API get a loopback address (the seeded
    # ones are someone else's): the first created is 127.0.100.1
    if ARGS.loopback_servers and STATE.get("seeded"):
        STATE["loopback"] += 1
        k = STATE["loopback"]
        return {"Ext-Net": [
            {"addr": "127.0.100.%d" % k, "version": 4, "OS-EXT-IPS:type": "fixed",
             "OS-EXT-IPS-MAC:mac_addr": "fa:16:3e:00:%02x:%02x" % (k // 256, k % 256)},
            {"addr": "fd00:100::%x" % k, "version": 6, "OS-EXT-IPS:type": "fixed",
             "OS-EXT-IPS-MAC:mac_addr": "fa:16:3e:00:%02x:%02x" % (k // 256, k % 256)}]}, \
            "127.0.100.%d" % k
    a, b = (n // 250) % 250, n % 250 + 1
    mac = "fa:16:3e:%02x:%02x:%02x" % (n // 65536 % 256, n // 256 % 256, n % 256)
    for name in nets:
        kind = NETWORKS[name][1]
        if kind == "public":
            out[name] = [
                {"addr": "198.51.%d.%d" % (100 + a, b), "version": 4,
                 "OS-EXT-IPS:type": "fixed", "OS-EXT-IPS-MAC:mac_addr": mac},
                {"addr": "2001:db8:%x::%x" % (100 + a, b), "version": 6,
                 "OS-EXT-IPS:type": "fixed", "OS-EXT-IPS-MAC:mac_addr": mac}]
        elif kind == "private":
            out[name] = [
                {"addr": "10.0.%d.%d" % (a, b), "version": 4,
                 "OS-EXT-IPS:type": "fixed", "OS-EXT-IPS-MAC:mac_addr": mac},
                {"addr": "203.0.%d.%d" % (113 + a, b), "version": 4,
                 "OS-EXT-IPS:type": "floating", "OS-EXT-IPS-MAC:mac_addr": mac}]
        else:
            out[name] = [
                {"addr": "2001:db8:6%x::%x" % (a, b), "version": 6,
                 "OS-EXT-IPS:type": "fixed", "OS-EXT-IPS-MAC:mac_addr": mac}]
    return out, ""


def new_server(region, project, name, image, flavor, metadata=None, key_name=None,
               nets=None, user_data=None, created=None, state="ACTIVE"):
    STATE["seq"] += 1
    n = STATE["seq"]
    sid = str(uuid.uuid4())
    if nets is None:
        # a private network listed first: a client taking the first IPv4
        # it sees gets 10.x, not the public address
        nets = ["private", "Ext-Net"] if ARGS.default_floating else ["Ext-Net"]
    addrs, access4 = addresses_for(n, nets)
    t = created if created is not None else now()
    s = {
        "id": sid, "name": name, "tenant_id": project, "user_id": USER_ID,
        "image": {"id": image, "links": []}, "flavor": {"id": flavor, "links": []},
        "metadata": dict(metadata or {}), "key_name": key_name,
        "created": iso(t), "updated": iso(t), "_created": t, "_seq": n,
        "_addresses": addrs, "_access4": access4,
        "_ready_at": t + ARGS.build_delay, "_final": state,
        "_user_data": user_data, "_deleted_at": None, "_region": region,
        "hostId": secrets.token_hex(28), "progress": 0,
        "OS-EXT-AZ:availability_zone": "nova", "OS-DCF:diskConfig": "AUTO",
        "config_drive": "", "security_groups": [{"name": "default"}],
    }
    if name and ARGS.fail_pattern and re.search(ARGS.fail_pattern, name):
        s["_final"] = "ERROR"
    if name and ARGS.stuck_pattern and re.search(ARGS.stuck_pattern, name):
        s["_final"] = "BUILD"
    STATE["servers"].setdefault((region, project), {})[sid] = s
    return s


def server_status(s):
    if s["_final"] == "ERROR" and now() >= s["_ready_at"]:
        return "ERROR"
    if s["_final"] != "BUILD" and now() >= s["_ready_at"]:
        return s["_final"]
    return "BUILD"


def server_view(s, base):
    st = server_status(s)
    v = {k: val for k, val in s.items() if not k.startswith("_")}
    v["status"] = st
    v["OS-EXT-STS:vm_state"] = {"BUILD": "building", "ACTIVE": "active",
                                "ERROR": "error"}.get(st, st.lower())
    v["OS-EXT-STS:task_state"] = "deleting" if s["_deleted_at"] else (
        "spawning" if st == "BUILD" else None)
    v["OS-EXT-STS:power_state"] = 1 if st == "ACTIVE" else 0
    v["OS-SRV-USG:launched_at"] = iso_us(s["_ready_at"]) if st == "ACTIVE" else None
    v["OS-SRV-USG:terminated_at"] = None
    v["progress"] = 100 if st == "ACTIVE" else 0
    # addresses are hidden while building (real nova: no ports bound yet)
    v["addresses"] = s["_addresses"] if st != "BUILD" else {}
    v["accessIPv4"] = s["_access4"] if st == "ACTIVE" else ""
    v["accessIPv6"] = ""
    v["links"] = [{"rel": "self", "href": "%s/servers/%s" % (base, s["id"])},
                  {"rel": "bookmark", "href": "%s/servers/%s" % (base, s["id"])}]
    if st == "ERROR":
        v["fault"] = {"code": 500, "created": iso(s["_ready_at"]),
                      "message": "No valid host was found. There are not enough "
                                 "hosts available."}
    return v


def reap(servers):
    t = now()
    for sid in [k for k, s in servers.items()
                if s["_deleted_at"] and t >= s["_deleted_at"]]:
        del servers[sid]


def seed():
    p = ARGS.project_id
    t0 = now() - 86400
    r1, r2 = ARGS.regions[0], ARGS.regions[-1]
    # (name, metadata) of servers that are already there; only the
    # tagged "party-" ones belong to namespace "party".
    base = [
        ("party-alpha", {"install-party": "party"}),
        ("party-beta", {"install-party": "party"}),
        ("party-gamma", {}),                       # made by the Python tool
        ("my-party-db", {"install-party": "my-party"}),
        ("partyx-abc", {}),
        ("xparty-foo", {"install-party": "xparty"}),
        ("party", {}),
        ("party-Bad_Name", {}),
        ("party-e-ml", {"install-party": "party-e"}),  # ns "party-e", not "party"
        ("webserver", {}),
    ]
    img = next(iter(IMAGES))
    for i, (name, md) in enumerate(base):
        nets = ["private", "Ext-Net"] if i % 3 == 1 else (
            ["private"] if i % 3 == 2 else ["Ext-Net", "v6-only"])
        s = new_server(r1, p, name, img, "d2-2", md, nets=nets,
                       created=t0 + i, state="ACTIVE")
        s["_ready_at"] = t0 + i
    s = new_server(r2, p, "party-delta", img, "d2-2", {"install-party": "party"},
                   created=t0, state="ACTIVE")
    s["_ready_at"] = t0
    # another project's servers: never visible to our user
    s = new_server(r1, "f" * 32, "party-theirs", img, "d2-2",
                   {"install-party": "party"}, created=t0, state="ACTIVE")
    s["_ready_at"] = t0
    for spec in ARGS.seed:
        ns, _, count = spec.partition(":")
        for i in range(int(count or 1)):
            s = new_server(r1, p, "%s-s%03d" % (ns, i), img, "d2-2",
                           {"install-party": ns}, created=t0 + 100 + i, state="ACTIVE")
            s["_ready_at"] = t0


# ---------------------------------------------------------------- keystone

def catalog_v3(base, project):
    cat = [
        {"type": "identity", "name": "keystone", "id": "c1d9",
         "endpoints": [{"id": "e%d%s" % (i, itf[0]), "interface": itf, "region": r,
                        "region_id": r, "url": base + "/v3/"}
                       for i, r in enumerate(ARGS.regions)
                       for itf in ("public", "internal", "admin")]},
        {"type": "compute_legacy", "name": "nova_legacy", "id": "c2a0",
         "endpoints": [{"id": "l%d" % i, "interface": "public", "region": r,
                        "region_id": r, "url": base + "/legacy/v2/" + project}
                       for i, r in enumerate(ARGS.regions)]},
        {"type": "network", "name": "neutron", "id": "c3b1",
         "endpoints": [{"id": "n%d" % i, "interface": "public", "region": r,
                        "region_id": r, "url": "https://network.%s.example.net/" % r.lower()}
                       for i, r in enumerate(ARGS.regions)]},
        {"type": "image", "name": "glance", "id": "c4c2",
         "endpoints": [{"id": "g%d" % i, "interface": "public", "region": r,
                        "region_id": r, "url": "https://image.%s.example.net/" % r.lower()}
                       for i, r in enumerate(ARGS.regions)]},
    ]
    comp = []
    for i, r in enumerate(ARGS.regions):
        # internal/admin endpoints are unreachable: a client must pick public
        comp.append({"id": "ci%d" % i, "interface": "internal", "region": r,
                     "region_id": r, "url": "http://127.0.0.1:9/nova/%s/v2.1/%s" % (r, project)})
        comp.append({"id": "cp%d" % i, "interface": "public", "region": r, "region_id": r,
                     "url": "%s/nova/%s/v2.1/%s" % (base, r, project)})
        comp.append({"id": "ca%d" % i, "interface": "admin", "region": r,
                     "region_id": r, "url": "http://127.0.0.1:9/nova/%s/v2.1/%s" % (r, project)})
    cat.insert(2, {"type": "compute", "name": "nova", "id": "c5d3", "endpoints": comp})
    return cat


def catalog_v2(base, project):
    out = []
    for c in catalog_v3(base, project):
        eps = {}
        for e in c["endpoints"]:
            d = eps.setdefault(e["region_id"], {"region": e["region_id"], "id": e["id"]})
            d[e["interface"] + "URL"] = e["url"]
        out.append({"type": c["type"], "name": c["name"], "endpoints_links": [],
                    "endpoints": list(eps.values())})
    return out


def new_token(project):
    tok = ("gAAAAA" + secrets.token_urlsafe(120))[:180]
    exp = now() + ARGS.token_ttl
    STATE["tokens"][tok] = {"project": project, "expires": exp, "uses": 0}
    return tok, exp


def external_token(tok):
    """--keystone-url: validate a token we did not issue with that Keystone,
    as keystonemiddleware does (GET /v3/auth/tokens), and remember it."""
    with LOCK:
        if tok in STATE["tokens"] or tok in STATE.setdefault("bad_external", set()):
            return
    req = urllib.request.Request(ARGS.keystone_url.rstrip("/") + "/v3/auth/tokens?nocatalog",
                                 headers={"X-Auth-Token": ARGS.keystone_admin_token,
                                          "X-Subject-Token": tok,
                                          "Accept": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            body = json.load(r)
        project = body["token"]["project"]["id"]
    except (urllib.error.URLError, KeyError, ValueError, OSError):
        with LOCK:
            STATE["bad_external"].add(tok)
        return
    with LOCK:
        STATE["tokens"][tok] = {"project": project, "expires": now() + 600, "uses": 0}


# ---------------------------------------------------------------- handler

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "openstack-sim/1.0"
    sys_version = ""

    def log_message(self, *a):
        pass

    # -- plumbing
    def base(self):
        return "http://127.0.0.1:%d" % self.server.server_address[1]

    def reply(self, status, body=None, headers=None, raw=None):
        data = raw if raw is not None else (
            b"" if body is None else json.dumps(body).encode())
        # logged before the client can see the answer: a test that reads the
        # log after its request has returned finds the line there
        self.record(status)
        self.send_response(status)
        if data or body is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        slow = ARGS.slow if random.random() < ARGS.slow_rate else 0
        if slow and data:
            self.wfile.write(data[:len(data) // 2])
            self.wfile.flush()
            time.sleep(slow)
            self.wfile.write(data[len(data) // 2:])
        elif data:
            self.wfile.write(data)

    def drop(self, chaos):
        """Close the connection without an answer (logged with status 0)."""
        self._info["chaos"] = chaos
        self.record(0)
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def record(self, status):
        info = getattr(self, "_info", {})
        line = {"t": round(now(), 3), "method": self.command,
                "path": urlsplit(self.path).path, "query": urlsplit(self.path).query,
                "status": status}
        line.update(info)
        if ARGS.log:
            with LOCK:
                with open(ARGS.log, "a") as f:
                    f.write(json.dumps(line) + "\n")

    def nova_error(self, status, key, msg, headers=None):
        body = {key: {"code": status, "message": msg}}
        if headers and "Retry-After" in headers:
            body[key]["retryAfter"] = headers["Retry-After"]
        self.reply(status, body, headers)

    def ks_error(self, status, title, msg):
        self.reply(status, {"error": {"code": status, "title": title, "message": msg}},
                   {"WWW-Authenticate": 'Keystone uri="%s/v3"' % self.base()}
                   if status == 401 else None)

    def read_body(self):
        # always read the whole body first: answering early would leave it
        # in the stream, to be parsed as the next request on keep-alive
        self._chunked = self.headers.get("Transfer-Encoding", "").lower() == "chunked"
        if self._chunked:
            self.close_connection = True
            self._body = b""
            return
        n = int(self.headers.get("Content-Length") or 0)
        self._body = self.rfile.read(n) if n > 0 else b""

    def read_json(self):
        if self._chunked:
            return "chunked"
        data = self._body
        if not data:
            return None
        try:
            return json.loads(data)
        except ValueError:
            return "invalid"

    def chaos(self):
        """Knobs for compute calls; True when a response was made."""
        if ARGS.chaos_method and self.command != ARGS.chaos_method:
            return False
        with LOCK:
            STATE["requests"] += 1
            k = STATE["requests"]
        if ARGS.latency:
            time.sleep(ARGS.latency)
        if k <= ARGS.drop_first or random.random() < ARGS.drop_rate:
            self.drop("drop")
            return True
        if k <= ARGS.throttle_first + ARGS.drop_first or random.random() < ARGS.throttle_rate:
            self._info["chaos"] = "429"
            self.nova_error(429, "overLimit", "This request was rate-limited.",
                            {"Retry-After": str(ARGS.retry_after)})
            return True
        if k <= ARGS.error_first + ARGS.throttle_first + ARGS.drop_first or \
                random.random() < ARGS.error_rate:
            self._info["chaos"] = "500"
            self.nova_error(500, "computeFault",
                            "Unexpected API Error. Please report this at "
                            "http://bugs.launchpad.net/nova/ and attach the Nova API "
                            "log if possible.")
            return True
        return False

    def handle_any(self):
        self._info = {}
        self.read_body()
        u = urlsplit(self.path)
        path, q = u.path, parse_qs(u.query, keep_blank_values=True)
        try:
            if path.startswith("/_sim/"):
                self._info["service"] = "sim"
                return self.sim(path, q)
            if path.startswith("/nova/"):
                self._info["service"] = "compute"
                return self.nova(path, q)
            if path.startswith("/legacy/"):
                self._info["service"] = "compute_legacy"
                return self.reply(410, {"error": "compute_legacy is not for you"})
            self._info["service"] = "identity"
            return self.keystone(path, q)
        except BrokenPipeError:
            pass

    do_GET = do_POST = do_DELETE = do_PUT = do_PATCH = do_HEAD = handle_any

    # -- keystone
    def version_doc(self, v):
        if v == "v3":
            return {"id": "v3.14", "status": "stable", "updated": "2020-04-07T00:00:00Z",
                    "links": [{"rel": "self", "href": self.base() + "/v3/"}],
                    "media-types": [{"base": "application/json",
                                     "type": "application/vnd.openstack.identity-v3+json"}]}
        return {"id": "v2.0", "status": "deprecated", "updated": "2016-08-04T00:00:00Z",
                "links": [{"rel": "self", "href": self.base() + "/v2.0/"},
                          {"rel": "describedby", "type": "text/html",
                           "href": "https://docs.openstack.org/"}],
                "media-types": [{"base": "application/json",
                                 "type": "application/vnd.openstack.identity-v2.0+json"}]}

    def keystone(self, path, q):
        p = path.rstrip("/")
        if ARGS.latency:
            time.sleep(ARGS.latency)
        if p == "" and self.command == "GET":
            vals = [self.version_doc("v3")] + ([] if ARGS.no_v2 else [self.version_doc("v2")])
            return self.reply(300, {"versions": {"values": vals}})
        if p == "/v3" and self.command == "GET":
            return self.reply(200, {"version": self.version_doc("v3")})
        if p == "/v2.0" and self.command == "GET" and not ARGS.no_v2:
            return self.reply(200, {"version": self.version_doc("v2")})
        if p == "/v3/auth/tokens" and self.command == "POST":
            return self.auth_v3()
        if p == "/v2.0/tokens" and self.command == "POST" and not ARGS.no_v2:
            return self.auth_v2()
        return self.ks_error(404, "Not Found", "The resource could not be found.")

    def auth_v3(self):
        self._info["auth"] = "v3"
        b = self.read_json()
        if not isinstance(b, dict) or not isinstance(b.get("auth"), dict):
            return self.ks_error(400, "Bad Request", "Expecting to find auth in request body.")
        ident = b["auth"].get("identity")
        if not isinstance(ident, dict) or "password" not in (ident.get("methods") or []):
            return self.ks_error(400, "Bad Request", "Expecting to find identity in auth.")
        user = (ident.get("password") or {}).get("user")
        if not isinstance(user, dict) or not isinstance(user.get("password"), str):
            return self.ks_error(400, "Bad Request", "Expecting to find password in user.")
        if "id" not in user:
            dom = user.get("domain")
            if not isinstance(dom, dict) or not (dom.get("id") or dom.get("name")):
                return self.ks_error(400, "Bad Request",
                                     "Expecting to find domain in user. The server could "
                                     "not comply with the request since it is either "
                                     "malformed or otherwise incorrect.")
            if dom.get("id", DOMAIN_ID) != DOMAIN_ID or \
                    dom.get("name", DOMAIN_NAME) != DOMAIN_NAME:
                return self.ks_error(401, "Unauthorized",
                                     "The request you have made requires authentication.")
            if user.get("name") != ARGS.username:
                return self.ks_error(401, "Unauthorized",
                                     "The request you have made requires authentication.")
        elif user["id"] != USER_ID:
            return self.ks_error(401, "Unauthorized",
                                 "The request you have made requires authentication.")
        if user["password"] != ARGS.password:
            return self.ks_error(401, "Unauthorized",
                                 "The request you have made requires authentication.")
        scope = b["auth"].get("scope")
        if not isinstance(scope, dict) or not isinstance(scope.get("project"), dict):
            return self.ks_error(400, "Bad Request",
                                 "this simulator only issues project-scoped tokens")
        proj = scope["project"]
        if "id" in proj:
            if proj["id"] != ARGS.project_id:
                return self.ks_error(401, "Unauthorized",
                                     "User %s has no access to project %s" % (USER_ID, proj["id"]))
        else:
            pd = proj.get("domain")
            if not isinstance(pd, dict) or not (pd.get("id") or pd.get("name")):
                return self.ks_error(400, "Bad Request", "Expecting to find domain in project.")
            if pd.get("id", DOMAIN_ID) != DOMAIN_ID or pd.get("name", DOMAIN_NAME) != DOMAIN_NAME \
                    or proj.get("name") != ARGS.project_name:
                return self.ks_error(401, "Unauthorized",
                                     "The request you have made requires authentication.")
        with LOCK:
            tok, exp = new_token(ARGS.project_id)
        t = now()
        body = {"token": {
            "methods": ["password"], "expires_at": iso_us(exp), "issued_at": iso_us(t),
            "audit_ids": [secrets.token_urlsafe(16)],
            "user": {"id": USER_ID, "name": ARGS.username, "password_expires_at": None,
                     "domain": {"id": DOMAIN_ID, "name": DOMAIN_NAME}},
            "project": {"id": ARGS.project_id, "name": ARGS.project_name,
                        "domain": {"id": DOMAIN_ID, "name": DOMAIN_NAME}},
            "roles": [{"id": "9fe2ff9ee4384b1894a90878d3e92bab", "name": "member"},
                      {"id": "b1c3", "name": "reader"}],
            "is_domain": False,
            "catalog": catalog_v3(self.base(), ARGS.project_id)}}
        return self.reply(201, body, {"X-Subject-Token": tok, "Vary": "X-Auth-Token"})

    def auth_v2(self):
        self._info["auth"] = "v2.0"
        b = self.read_json()
        a = b.get("auth") if isinstance(b, dict) else None
        pc = a.get("passwordCredentials") if isinstance(a, dict) else None
        if not isinstance(pc, dict) or not isinstance(pc.get("username"), str) or \
                not isinstance(pc.get("password"), str):
            return self.reply(400, {"error": {"code": 400, "title": "Bad Request",
                                              "message": "Expecting to find username or "
                                                         "userId in passwordCredentials"}})
        if pc["username"] != ARGS.username or pc["password"] != ARGS.password:
            return self.reply(401, {"error": {"code": 401, "title": "Unauthorized",
                                              "message": "Invalid user / password"}})
        tid, tname = a.get("tenantId"), a.get("tenantName")
        if tid is None and tname is None:
            return self.reply(400, {"error": {"code": 400, "title": "Bad Request",
                                              "message": "this simulator only issues "
                                                         "tenant-scoped tokens"}})
        if (tid is not None and tid != ARGS.project_id) or \
                (tname is not None and tname != ARGS.project_name):
            return self.reply(401, {"error": {"code": 401, "title": "Unauthorized",
                                              "message": "Project not found"}})
        with LOCK:
            tok, exp = new_token(ARGS.project_id)
        body = {"access": {
            "token": {"id": tok, "issued_at": iso_us(now()), "expires": iso(exp),
                      "audit_ids": [secrets.token_urlsafe(16)],
                      "tenant": {"id": ARGS.project_id, "name": ARGS.project_name,
                                 "enabled": True, "description": None}},
            "serviceCatalog": catalog_v2(self.base(), ARGS.project_id),
            "user": {"id": USER_ID, "name": ARGS.username, "username": ARGS.username,
                     "roles": [{"name": "member"}], "roles_links": []},
            "metadata": {"is_admin": 0, "roles": ["9fe2ff9ee4384b1894a90878d3e92bab"]}}}
        return self.reply(200, body)

    # -- nova
    def nova(self, path, q):
        m = re.match(r"^/nova/([^/]+)/v2\.1/([^/]+)(/.*)?$", path)
        if not m or m.group(1) not in ARGS.regions:
            return self.reply(404, raw=b"404 Not Found", headers={"Content-Type": "text/plain"})
        region, project, rest = m.group(1), m.group(2), (m.group(3) or "/").rstrip("/") or "/"
        self._info["region"] = region
        tok = self.headers.get("X-Auth-Token")
        if tok and ARGS.keystone_url:
            external_token(tok)
        with LOCK:
            info = STATE["tokens"].get(tok) if tok else None
            if info and info["expires"] < now():
                info = None
            if info:
                info["uses"] += 1
                if ARGS.token_uses and info["uses"] > ARGS.token_uses:
                    del STATE["tokens"][tok]
                    info = None
        self._info["auth"] = bool(info)
        if not info:
            # keystonemiddleware's answer, before nova sees the request
            return self.reply(401, {"error": {"code": 401, "title": "Unauthorized",
                                              "message": "The request you have made "
                                                         "requires authentication."}},
                              {"WWW-Authenticate": 'Keystone uri="%s/v3"' % self.base()})
        if info["project"] != project:
            return self.nova_error(403, "forbidden", "Policy doesn't allow "
                                   "os_compute_api:servers:index to be performed.")
        mv = self.headers.get("X-OpenStack-Nova-API-Version")
        ov = self.headers.get("OpenStack-API-Version")
        if ov and ov.startswith("compute "):
            mv = ov.split(None, 1)[1]
        version = (2, 1)
        if mv:
            mm = re.match(r"^(\d+)\.(\d+)$", mv.strip())
            if not mm or not ((2, 1) <= (int(mm.group(1)), int(mm.group(2))) <= MAX_MICROVERSION):
                return self.nova_error(406, "computeFault",
                                       "Version %s is not supported by the API. Minimum is "
                                       "2.1 and maximum is 2.96." % mv)
            version = (int(mm.group(1)), int(mm.group(2)))
        if self.chaos():
            return
        base = "%s/nova/%s/v2.1/%s" % (self.base(), region, project)
        hdr = {"X-Compute-Request-Id": "req-" + str(uuid.uuid4()),
               "OpenStack-API-Version": "compute %d.%d" % version,
               "X-OpenStack-Nova-API-Version": "%d.%d" % version,
               "Vary": "OpenStack-API-Version, X-OpenStack-Nova-API-Version"}
        with LOCK:
            servers = STATE["servers"].setdefault((region, project), {})
            reap(servers)
            if rest in ("/servers/detail", "/servers") and self.command == "GET":
                return self.list_servers(servers, q, base, hdr, rest == "/servers/detail")
            if rest == "/servers" and self.command == "POST":
                return self.create_server(servers, region, project, base, hdr, version)
            if rest == "/limits" and self.command == "GET":
                return self.limits(servers, hdr, version)
            m = re.match(r"^/flavors/([^/]+)$", rest)
            if m and self.command == "GET":
                return self.flavor(m.group(1), base, hdr)
            m = re.match(r"^/images/([^/]+)$", rest)
            if m and self.command == "GET":
                return self.image(m.group(1), base, hdr, version)
            m = re.match(r"^/servers/([^/]+)$", rest)
            if m and self.command == "GET":
                s = servers.get(m.group(1))
                if not s:
                    return self.nova_error(404, "itemNotFound",
                                           "Instance %s could not be found." % m.group(1), hdr)
                return self.reply(200, {"server": server_view(s, base)}, hdr)
            if m and self.command == "DELETE":
                s = servers.get(m.group(1))
                if not s or s["_deleted_at"]:
                    if s and s["_deleted_at"]:
                        return self.reply(204, None, hdr)
                    return self.nova_error(404, "itemNotFound",
                                           "Instance %s could not be found." % m.group(1), hdr)
                s["_deleted_at"] = now() + ARGS.delete_delay
                return self.reply(204, None, hdr)
        return self.nova_error(404, "itemNotFound", "The resource could not be found.")

    def limits(self, servers, hdr, version):
        live = [v for v in servers.values() if not v["_deleted_at"]]
        cores = sum(FLAVORS[v["flavor"]["id"]][1] for v in live)
        ram = sum(FLAVORS[v["flavor"]["id"]][2] for v in live)

        def q(v):
            return -1 if v is None else v
        a = {"maxServerMeta": MAX_SERVER_META, "maxPersonality": 5,
             "maxPersonalitySize": 10240, "maxImageMeta": 128, "maxTotalKeypairs": 100,
             "maxServerGroups": 10, "maxServerGroupMembers": 10,
             "maxSecurityGroups": 10, "maxSecurityGroupRules": 20,
             "maxTotalFloatingIps": 10, "totalFloatingIpsUsed": 0,
             "totalSecurityGroupsUsed": 0, "totalServerGroupsUsed": 0,
             "maxTotalInstances": q(ARGS.quota), "totalInstancesUsed": len(live),
             "maxTotalCores": q(ARGS.quota_cores), "totalCoresUsed": cores,
             "maxTotalRAMSize": q(ARGS.quota_ram), "totalRAMUsed": ram}
        # what nova's microversions take out of the answer
        if version >= (2, 36):
            for k in ("maxSecurityGroups", "maxSecurityGroupRules", "maxTotalFloatingIps",
                      "totalFloatingIpsUsed", "totalSecurityGroupsUsed"):
                del a[k]
        if version >= (2, 39):
            del a["maxImageMeta"]
        if version >= (2, 57):
            del a["maxPersonality"], a["maxPersonalitySize"]
        return self.reply(200, {"limits": {"rate": [], "absolute": a}}, hdr)

    def flavor(self, fid, base, hdr):
        if fid not in FLAVORS:
            return self.nova_error(404, "itemNotFound", "Flavor %s could not be found." % fid,
                                   hdr)
        name, vcpus, ram = FLAVORS[fid]
        link = "%s/flavors/%s" % (base, fid)
        return self.reply(200, {"flavor": {
            "id": fid, "name": name, "vcpus": vcpus, "ram": ram, "disk": 20, "swap": "",
            "OS-FLV-EXT-DATA:ephemeral": 0, "OS-FLV-DISABLED:disabled": False,
            "rxtx_factor": 1.0, "os-flavor-access:is_public": True,
            "links": [{"rel": "self", "href": link}, {"rel": "bookmark", "href": link}]}}, hdr)

    def image(self, iid, base, hdr, version):
        if version >= (2, 36):
            # the proxy API is gone from 2.36 on
            return self.nova_error(404, "itemNotFound", "The resource could not be found.",
                                   hdr)
        if iid not in IMAGES:
            return self.nova_error(404, "itemNotFound", "Image not found.", hdr)
        link = "%s/images/%s" % (base, iid)
        t = iso(now() - 30 * 86400)
        return self.reply(200, {"image": {
            "id": iid, "name": IMAGES[iid], "status": ARGS.image_status, "progress": 100,
            "minDisk": 0, "minRam": 0, "created": t, "updated": t, "metadata": {},
            "OS-EXT-IMG-SIZE:size": 363069440,
            "links": [{"rel": "self", "href": link}, {"rel": "bookmark", "href": link}]}}, hdr)

    def list_servers(self, servers, q, base, hdr, detail):
        items = sorted(servers.values(), key=lambda s: (-s["_created"], -s["_seq"]))
        for k in q:
            if k not in ("limit", "marker", "name", "status", "changes-since", "flavor",
                         "image", "ip", "ip6", "reservation_id", "tags", "not-tags",
                         "tags-any", "all_tenants", "sort_key", "sort_dir"):
                pass  # nova silently ignores unknown filters
        if "name" in q:
            try:
                rx = re.compile(q["name"][-1])
            except re.error:
                return self.nova_error(400, "badRequest", "Invalid regular expression.", hdr)
            # unanchored, as MySQL REGEXP / nova's sqlite REGEXP
            items = [s for s in items if rx.search(s["name"])]
        if "status" in q:
            items = [s for s in items if server_status(s) == q["status"][-1].upper()]
        limit = ARGS.page_size
        if "limit" in q:
            try:
                limit = int(q["limit"][-1])
                if limit < 0:
                    raise ValueError
            except ValueError:
                return self.nova_error(400, "badRequest",
                                       "limit param must be an integer", hdr)
            limit = min(limit, ARGS.page_size)
        if "marker" in q:
            mk = q["marker"][-1]
            ids = [s["id"] for s in items]
            if mk not in ids:
                if mk in servers:
                    ids = []  # filtered out: real nova still finds it; approximate
                    allids = [s["id"] for s in sorted(servers.values(), key=lambda s: (
                        -s["_created"], -s["_seq"]))]
                    pos = allids.index(mk)
                    items = [s for s in items if allids.index(s["id"]) > pos]
                else:
                    return self.nova_error(400, "badRequest",
                                           "marker [%s] not found" % mk, hdr)
            else:
                items = items[ids.index(mk) + 1:]
        page, more = items[:limit], len(items) > limit
        out = [server_view(s, base) if detail else
               {"id": s["id"], "name": s["name"], "links": server_view(s, base)["links"]}
               for s in page]
        body = {"servers": out}
        if more and page:
            qs = [("limit", str(limit)), ("marker", page[-1]["id"])]
            if "name" in q:
                qs.insert(0, ("name", q["name"][-1]))
            body["servers_links"] = [{"rel": "next", "href": "%s/servers%s?%s" % (
                base, "/detail" if detail else "", urlencode(qs))}]
        return self.reply(200, body, hdr)

    def create_server(self, servers, region, project, base, hdr, version):
        b = self.read_json()

        def bad(msg):
            return self.nova_error(400, "badRequest", msg, hdr)
        if b is None or b == "invalid":
            return bad("Malformed request body")
        if b == "chunked":
            return bad("chunked bodies are not accepted by this simulator")
        s = b.get("server") if isinstance(b, dict) else None
        if not isinstance(s, dict):
            return bad("Invalid input for field/attribute server. Value: None. "
                       "'server' is a required property")
        allowed = {"name", "imageRef", "flavorRef", "user_data", "metadata", "key_name",
                   "networks", "security_groups", "availability_zone", "config_drive",
                   "accessIPv4", "accessIPv6", "adminPass", "min_count", "max_count",
                   "OS-DCF:diskConfig", "block_device_mapping_v2", "description", "tags"}
        for k in s:
            if k not in allowed:
                return bad("Additional properties are not allowed (%r was unexpected)" % k)
        for k in ("name", "flavorRef"):
            if k not in s:
                return bad("Invalid input for field/attribute server. Value: %s. "
                           "'%s' is a required property" % ("{...}", k))
        name = s["name"]
        if not isinstance(name, str) or not (1 <= len(name) <= 255) or name != name.strip():
            return bad("Invalid input for field/attribute name.")
        img = s.get("imageRef")
        if not isinstance(img, str) or not UUID_RE.match(img):
            return bad("Invalid input for field/attribute imageRef. Value: %s. "
                       "%r is not a 'uuid'" % (img, img))
        if img not in IMAGES:
            return bad("Can not find requested image")
        fl = s["flavorRef"]
        if not isinstance(fl, str) or fl.rsplit("/", 1)[-1] not in FLAVORS:
            return bad("Flavor %s could not be found." % fl)
        ud = s.get("user_data")
        raw = None
        if ud is not None:
            if not isinstance(ud, str):
                return bad("Invalid input for field/attribute user_data. "
                           "Value: ... is not of type 'string'")
            if len(ud) > 65535:
                return bad("Invalid input for field/attribute user_data. "
                           "Value: ... is too long")
            try:
                raw = base64.b64decode(ud, validate=True)
            except (binascii.Error, ValueError):
                return bad("Invalid input for field/attribute user_data. "
                           "Value: ... is not a 'base64'")
        md = s.get("metadata", {})
        if not isinstance(md, dict) or any(
                not isinstance(k, str) or not isinstance(v, str) or not 1 <= len(k) <= 255
                or len(v) > 255 for k, v in md.items()):
            return bad("Invalid input for field/attribute metadata.")
        if len(md) > MAX_SERVER_META:
            return self.nova_error(403, "forbidden", "Quota exceeded for metadata_items: "
                                   "Requested %d, but already used 0 of %d metadata_items"
                                   % (len(md), MAX_SERVER_META), hdr)
        kn = s.get("key_name")
        if kn is not None:
            if not isinstance(kn, str) or kn not in KEYPAIRS:
                return bad("Invalid key_name provided.")
        sg = s.get("security_groups")
        if sg is not None and (not isinstance(sg, list) or any(
                not isinstance(g, dict) or not isinstance(g.get("name"), str) for g in sg)):
            return bad("Invalid input for field/attribute security_groups.")
        nets = s.get("networks")
        names = None
        if nets is None:
            if version >= (2, 37):
                return bad("Invalid input for field/attribute server. "
                           "'networks' is a required property")
            if ARGS.ambiguous_networks:
                return self.nova_error(409, "conflictingRequest",
                                       "More than one possible network found. Specify "
                                       "network ID(s) to select which one(s) to connect to.",
                                       hdr)
        elif nets in ("auto", "none"):
            if version < (2, 37):
                return bad("Invalid input for field/attribute networks.")
            names = ["Ext-Net"] if nets == "auto" else []
        elif isinstance(nets, list):
            names = []
            byid = {v[0]: k for k, v in NETWORKS.items()}
            for n in nets:
                if not isinstance(n, dict) or not isinstance(n.get("uuid"), str):
                    return bad("Invalid input for field/attribute networks.")
                if n["uuid"] not in byid:
                    return bad("Network %s could not be found." % n["uuid"])
                names.append(byid[n["uuid"]])
        else:
            return bad("Invalid input for field/attribute networks.")
        if ARGS.squat_on_create and not STATE.get("squatted"):
            # someone else makes servers between a client's pre-flight and its
            # first creation: its count of free room is stale
            STATE["squatted"] = True
            for i in range(ARGS.squat_on_create):
                new_server(region, project, "squatter-%d" % i, img, "d2-2")
        live = [v for v in servers.values() if not v["_deleted_at"]]
        used = len(live)
        if ARGS.quota is not None and used >= ARGS.quota:
            return self.nova_error(403, "forbidden",
                                   "Quota exceeded for instances: Requested 1, but already "
                                   "used %d of %d instances" % (used, ARGS.quota), hdr)
        fname = fl.rsplit("/", 1)[-1]
        for what, k, limit in (("cores", 1, ARGS.quota_cores), ("ram", 2, ARGS.quota_ram)):
            have = sum(FLAVORS[v["flavor"]["id"]][k] for v in live)
            if limit is not None and have + FLAVORS[fname][k] > limit:
                return self.nova_error(403, "forbidden",
                                       "Quota exceeded for %s: Requested %d, but already "
                                       "used %d of %d %s" % (what, FLAVORS[fname][k], have,
                                                             limit, what), hdr)
        srv = new_server(region, project, name, img, fl.rsplit("/", 1)[-1], md, kn,
                         names, raw)
        if STATE.get("lost", 0) < ARGS.lose_create_first:
            # made, but the answer never arrives
            STATE["lost"] = STATE.get("lost", 0) + 1
            self.drop("lost-create")
            return None
        # for tests of a client's concurrency bound
        self._info["building"] = sum(1 for v in servers.values()
                                     if server_status(v) == "BUILD" and not v["_deleted_at"])
        if sg:
            srv["security_groups"] = [{"name": g["name"]} for g in sg]
        link = "%s/servers/%s" % (base, srv["id"])
        h = dict(hdr)
        h["Location"] = link
        return self.reply(202, {"server": {
            "id": srv["id"], "adminPass": secrets.token_urlsafe(9),
            "links": [{"rel": "self", "href": link}, {"rel": "bookmark", "href": link}],
            "OS-DCF:diskConfig": "AUTO", "security_groups": srv["security_groups"]}}, h)

    # -- control
    def sim(self, path, q):
        if path == "/_sim/servers" and self.command == "GET":
            with LOCK:
                out = []
                for (region, project), ss in STATE["servers"].items():
                    reap(ss)
                    for s in ss.values():
                        v = server_view(s, "")
                        v["region"] = region
                        v["user_data"] = s["_user_data"].decode("utf-8", "replace") \
                            if s["_user_data"] is not None else None
                        out.append(v)
            return self.reply(200, {"servers": out})
        if path == "/_sim/seed" and self.command == "POST":
            b = self.read_json()
            if not isinstance(b, dict) or not isinstance(b.get("name"), str):
                return self.reply(400, {"error": "expected {\"name\": ...}"})
            with LOCK:
                t = now() - float(b.get("created_ago", 0))
                s = new_server(ARGS.regions[0], ARGS.project_id, b["name"], next(iter(IMAGES)),
                               b.get("flavor", "d2-2"), b.get("metadata") or {},
                               nets=["Ext-Net"], created=t, state="ACTIVE")
                s["_ready_at"] = t
                return self.reply(200, {"server": server_view(s, "")})
        if path == "/_sim/revoke" and self.command == "POST":
            with LOCK:
                STATE["tokens"].clear()
            return self.reply(204)
        if path == "/_sim/knobs" and self.command == "POST":
            b = self.read_json()
            if not isinstance(b, dict):
                return self.reply(400, {"error": "expected an object"})
            with LOCK:
                for k, v in b.items():
                    k = k.replace("-", "_")
                    if not hasattr(ARGS, k) or k in ("port_file", "log"):
                        return self.reply(400, {"error": "unknown knob %s" % k})
                    setattr(ARGS, k, v)
            return self.reply(200, {k: v for k, v in vars(ARGS).items()})
        if path == "/_sim/reset-counters" and self.command == "POST":
            with LOCK:
                STATE["requests"] = 0
            return self.reply(204)
        return self.reply(404, {"error": "no such control"})


def main():
    global ARGS
    class Fmt(argparse.RawDescriptionHelpFormatter, argparse.ArgumentDefaultsHelpFormatter):
        pass
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=Fmt)
    ap.add_argument("--port-file", required=True, help="write the port here once listening")
    ap.add_argument("--log", help="append one JSON line per request here")
    ap.add_argument("--port", type=int, default=0, help="port (0: any free one)")
    ap.add_argument("--username", default="demo")
    ap.add_argument("--password", default="s3cret-pass")
    ap.add_argument("--project-name", default="demo-project")
    ap.add_argument("--project-id", default="0f3c7d2e9b8a4f61a5c4e3d2b1a09876")
    ap.add_argument("--regions", default="RegionOne,RegionTwo",
                    type=lambda s: s.split(","), help="comma-separated catalog regions")
    ap.add_argument("--no-v2", action="store_true", help="no Keystone v2.0 (as today's keystone)")
    ap.add_argument("--token-ttl", type=float, default=3600, help="token lifetime, seconds")
    ap.add_argument("--token-uses", type=int, default=0,
                    help="a token dies after this many compute calls (0: never)")
    ap.add_argument("--page-size", type=int, default=3, help="nova max_limit")
    ap.add_argument("--build-delay", type=float, default=0.3, help="BUILD -> ACTIVE, seconds")
    ap.add_argument("--delete-delay", type=float, default=0.2,
                    help="seconds a deleted server stays visible (task_state deleting)")
    ap.add_argument("--fail-pattern", help="servers whose name matches end in ERROR")
    ap.add_argument("--stuck-pattern", help="servers whose name matches stay in BUILD")
    ap.add_argument("--quota", type=int, help="max servers in the project (403 beyond)")
    ap.add_argument("--squat-on-create", type=int, default=0,
                    help="at the first server creation, N servers of someone else appear")
    ap.add_argument("--quota-cores", type=int, help="max vCPUs in the project")
    ap.add_argument("--quota-ram", type=int, help="max RAM (MB) in the project")
    ap.add_argument("--image-status", default="ACTIVE", help="the image's status")
    ap.add_argument("--ambiguous-networks", action="store_true",
                    help="create without networks -> 409 (several networks visible)")
    ap.add_argument("--default-floating", action="store_true",
                    help="servers created without networks get private+floating and Ext-Net")
    ap.add_argument("--loopback-servers", action="store_true",
                    help="each new server's public IPv4 is 127.0.100.N (demo)")
    ap.add_argument("--seed", action="append", default=[],
                    help="NS:COUNT: also pre-create COUNT ACTIVE servers NS-sNNN")
    ap.add_argument("--latency", type=float, default=0, help="seconds added to every request")
    ap.add_argument("--error-rate", type=float, default=0, help="share of compute calls -> 500")
    ap.add_argument("--error-first", type=int, default=0, help="first N compute calls -> 500")
    ap.add_argument("--throttle-rate", type=float, default=0, help="share -> 429 + Retry-After")
    ap.add_argument("--throttle-first", type=int, default=0, help="first N -> 429")
    ap.add_argument("--retry-after", type=int, default=1, help="Retry-After seconds on 429")
    ap.add_argument("--drop-rate", type=float, default=0, help="share of dropped connections")
    ap.add_argument("--drop-first", type=int, default=0, help="first N compute calls dropped")
    ap.add_argument("--slow-rate", type=float, default=0,
                    help="share of responses sent in two halves, --slow seconds apart")
    ap.add_argument("--slow", type=float, default=0.5)
    ap.add_argument("--lose-create-first", type=int, default=0,
                    help="first N server creations succeed but their answer is dropped")
    ap.add_argument("--chaos-method", help="the knobs above hit only this method (GET, POST...)")
    ap.add_argument("--keystone-url", help="also accept tokens this real Keystone validates")
    ap.add_argument("--keystone-admin-token", help="token used to validate them")
    ap.add_argument("--random-seed", type=int, default=1)
    ARGS = ap.parse_args()
    random.seed(ARGS.random_seed)
    seed()
    STATE["seeded"] = True
    srv = ThreadingHTTPServer(("127.0.0.1", ARGS.port), Handler)
    srv.daemon_threads = True
    simlib.announce(ARGS.port_file, srv.server_address[1])
    simlib.serve(srv)


if __name__ == "__main__":
    sys.exit(main())
