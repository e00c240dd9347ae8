#!/usr/bin/env python3
"""Renders the nginx site for acr-console from the shipped templates and the console's config.json.

The registries in config.json are the proxy's allow-list: each gets one location forwarding
/registry/<name>/... to https://<loginServer>/...; nothing else under /registry/ is forwarded.
The Content-Security-Policy is computed from the built index.html (hashes of Trunk's inline
loader script) and the Entra authority (the only other origin the console talks to).

Usage:
  render.py --dist DIR --out DIR --server-name console.example --tls-cert CERT --tls-key KEY
            [--listen 443] [--upstream-ca /etc/ssl/certs/ca-certificates.crt] [--standalone]

--standalone also writes out/nginx.conf, a complete main configuration (pid, logs and temp
paths under out/) that `nginx -c out/nginx.conf` runs without root; the tests use it.
It pre-compresses the app's text and wasm files (.br with brotli, .gz with gzip) in place.
"""

import argparse
import base64
import gzip
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from string import Template

HERE = os.path.dirname(os.path.abspath(__file__))
NAME_RE = re.compile(r"^[a-z0-9-]{1,50}$")
HOST_RE = re.compile(r"^[a-z0-9.-]+(:[0-9]{1,5})?$")


def fail(msg):
    print(f"render.py: {msg}", file=sys.stderr)
    sys.exit(2)


class NginxTemplate(Template):
    """Only ${NAME} is a placeholder; nginx's own $variables and regex anchors stay as they are."""

    pattern = r"""\$(?:(?P<escaped>\$\$)|\{(?P<braced>[A-Z_][A-Z0-9_]*)\}|(?P<named>(?!))|(?P<invalid>(?!)))"""


def template(name):
    with open(os.path.join(HERE, name), encoding="utf-8") as f:
        return NginxTemplate(f.read())


def origin_of(url):
    m = re.match(r"^(https?)://([^/?#]+)", url)
    if not m:
        fail(f"auth.authority '{url}' is not an http(s) URL")
    return f"{m.group(1)}://{m.group(2)}"


def inline_script_hashes(index_html):
    hashes = []
    for m in re.finditer(r"<script\b[^>]*>(.*?)</script>", index_html, re.S):
        tag = m.group(0)
        if re.search(r"\bsrc\s*=", tag[: tag.index(">")]):
            continue
        digest = hashlib.sha256(m.group(1).encode("utf-8")).digest()
        hashes.append("'sha256-" + base64.b64encode(digest).decode() + "'")
    return hashes


def csp(index_html, config):
    connect = ["'self'"]
    auth = config.get("auth") or {}
    if auth.get("authority"):
        connect.append(origin_of(auth["authority"]))
    scripts = ["'self'", "'wasm-unsafe-eval'"] + inline_script_hashes(index_html)
    return "; ".join(
        [
            "default-src 'none'",
            "script-src " + " ".join(scripts),
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src " + " ".join(connect),
            "manifest-src 'self'",
            "form-action 'self'",
            "base-uri 'none'",
            "object-src 'none'",
            "frame-ancestors 'none'",
        ]
    )


def precompress(dist):
    have_brotli = shutil.which("brotli") is not None
    for root, _, files in os.walk(dist):
        for f in files:
            if not re.search(r"\.(js|wasm|css|html|json|svg)$", f):
                continue
            path = os.path.join(root, f)
            with open(path, "rb") as src, gzip.open(path + ".gz", "wb", compresslevel=9) as dst:
                shutil.copyfileobj(src, dst)
            if have_brotli:
                subprocess.run(["brotli", "-f", "-q", "11", "-o", path + ".br", path], check=True)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--dist", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--server-name", required=True)
    p.add_argument("--tls-cert", required=True)
    p.add_argument("--tls-key", required=True)
    p.add_argument("--listen", default="443")
    p.add_argument("--upstream-ca", default="/etc/ssl/certs/ca-certificates.crt")
    p.add_argument("--standalone", action="store_true")
    a = p.parse_args()

    dist = os.path.abspath(a.dist)
    out = os.path.abspath(a.out)
    os.makedirs(out, exist_ok=True)
    try:
        with open(os.path.join(dist, "config.json"), encoding="utf-8") as f:
            config = json.load(f)
        with open(os.path.join(dist, "index.html"), encoding="utf-8") as f:
            index_html = f.read()
    except (OSError, ValueError) as e:
        fail(f"{dist} must hold the built console (index.html) and its config.json: {e}")

    registries = config.get("registries") or []
    if not registries:
        fail("config.json lists no registries: nothing to proxy")
    locations = []
    for i, r in enumerate(registries):
        name, login = r.get("name", ""), (r.get("loginServer") or "").lower()
        if not NAME_RE.match(name):
            fail(f"registries[{i}].name '{name}' must be lowercase letters, digits and '-'")
        if not HOST_RE.match(login):
            fail(f"registries[{i}].loginServer '{login}' must be a host name such as prod.azurecr.io")
        if r.get("endpoint", "").rstrip("/") != f"/registry/{name}":
            fail(f"registries[{i}].endpoint must be /registry/{name} to match this proxy")
        locations.append(
            template("registry-location.template").substitute(
                NAME=name,
                LOGIN_SERVER=login,
                LOGIN_HOST=login.split(":")[0],
                UPSTREAM_CA=os.path.abspath(a.upstream_ca),
                HEADERS_CONF=os.path.join(out, "security-headers.conf"),
            )
        )

    headers = template("security-headers.conf.template").substitute(CSP=csp(index_html, config))
    with open(os.path.join(out, "security-headers.conf"), "w", encoding="utf-8") as f:
        f.write(headers)
    site = template("acr-console.conf.template").substitute(
        SERVER_NAME=a.server_name,
        LISTEN=a.listen,
        TLS_CERT=os.path.abspath(a.tls_cert),
        TLS_KEY=os.path.abspath(a.tls_key),
        CONSOLE_ROOT=dist,
        HEADERS_CONF=os.path.join(out, "security-headers.conf"),
        REGISTRY_LOCATIONS="\n".join(locations),
        EXTRA_HTTP="",
    )
    with open(os.path.join(out, "acr-console.conf"), "w", encoding="utf-8") as f:
        f.write(site)
    precompress(dist)

    if a.standalone:
        for d in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            path = os.path.join(out, "tmp", d)
            os.makedirs(path, exist_ok=True)
            os.chmod(path, 0o777)  # nginx's workers run unprivileged when started as root
        main_conf = f"""# Standalone main configuration for acr-console (tests and local runs).
include /etc/nginx/modules-enabled/*.conf;
worker_processes 1;
pid {out}/nginx.pid;
error_log {out}/error.log warn;
daemon off;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {out}/access.log;
    client_body_temp_path {out}/tmp/client_body;
    proxy_temp_path {out}/tmp/proxy;
    fastcgi_temp_path {out}/tmp/fastcgi;
    uwsgi_temp_path {out}/tmp/uwsgi;
    scgi_temp_path {out}/tmp/scgi;
    sendfile on;
    include {out}/acr-console.conf;
}}
"""
        with open(os.path.join(out, "nginx.conf"), "w", encoding="utf-8") as f:
            f.write(main_conf)
    print(os.path.join(out, "nginx.conf" if a.standalone else "acr-console.conf"))


if __name__ == "__main__":
    main()
