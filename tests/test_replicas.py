"""Two app servers behind Debian's nginx over HTTPS, configured by deploy/nginx/ftz-dashboard.conf: pages,
the session's websocket, one browser kept on one server, the TLS a security review expects, and sign-in over
HTTPS only."""

import http.client
import ipaddress
import os
import re
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
import warnings
from collections import defaultdict
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets import Origin, Subprotocol
from websockets.sync.client import connect

from bench.loadtest import websocket_url
from ftz.i18n import t
from tests.conftest import ROOT, copy_data_folder, free_port, serve
from tests.system import program

pytestmark = pytest.mark.slow

EXAMPLE = ROOT / "deploy" / "nginx" / "ftz-dashboard.conf"
EXAMPLE_APP_PORTS = (8501, 8502)
COOKIE = "ftz_replica"
TEMP_PATHS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
# One line of the example's `ftz_replica` log format.
LOG_LINE = re.compile(r'"(?P<request>[^"]*)" (?P<status>\d+) \d+ upstream=(?P<upstream>.*?) replica=(?P<key>\S+)')


def nginx_path() -> str:
    """Return Debian's nginx (see tests.system.program)."""
    return program("nginx", "nginx", "reverse-proxy test", "/usr/sbin/nginx")


def replaced(text: str, old: str, new: str, count: int = 1) -> str:
    """Return `text` with `old` replaced; fail if it does not occur `count` times (the example changed shape)."""
    assert text.count(old) == count, f"expected {count} of {old!r} in {EXAMPLE.name}, found {text.count(old)}"
    return text.replace(old, new)


def throwaway_certificate(folder: Path) -> tuple[Path, Path]:
    """Write a self-signed certificate for 127.0.0.1, valid for a day, and its key; return their paths."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    crt, pem = folder / "ftz-dashboard.crt", folder / "ftz-dashboard.key"
    crt.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    pem.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return crt, pem


def runnable_example(
    example: str, app_ports: tuple[int, int], ports: tuple[int, int], folder: Path, certificate: tuple[Path, Path]
) -> str:
    """Return the example's upstream and server text with this test's ports (plain HTTP's, then HTTPS's),
    its certificate and key, and its logs in `folder`."""
    for example_port, port in zip(EXAMPLE_APP_PORTS, app_ports, strict=True):
        example = replaced(example, f"server 127.0.0.1:{example_port} ", f"server 127.0.0.1:{port} ")
    plain, secure = ports
    example = replaced(example, "listen 80;", f"listen 127.0.0.1:{plain};")
    example = replaced(example, "listen 443 ssl;", f"listen 127.0.0.1:{secure} ssl;")
    # The redirect names the port the test listens on (the example's is 443, which needs no port).
    example = replaced(
        example, "return 301 https://$host$request_uri;", f"return 301 https://$host:{secure}$request_uri;"
    )
    example = replaced(example, "/etc/ssl/certs/ftz-dashboard.crt", str(certificate[0]))
    example = replaced(example, "/etc/ssl/private/ftz-dashboard.key", str(certificate[1]))
    return replaced(example, "/var/log/nginx/", f"{folder}/", count=2)


def nginx_config(included: Path, folder: Path) -> str:
    """Return a whole nginx.conf around the included http-level text, with every file it writes in `folder`,
    so that it needs no privilege and touches nothing of the system's nginx."""
    temp_paths = "".join(f"    {kind}_temp_path {folder / kind};\n" for kind in TEMP_PATHS)
    # As root the workers would drop to `nobody`, who cannot enter pytest's folder (mode 0700) to write
    # an upload's temporary file; they stay root for this loopback-only run.
    user = "user root;\n" if os.geteuid() == 0 else ""
    return (
        f"daemon off;\n{user}pid {folder / 'nginx.pid'};\nerror_log {folder / 'error.log'};\n"
        f"events {{}}\nhttp {{\n    access_log off;\n{temp_paths}    include {included};\n}}\n"
    )


def trusting(certificate: Path, version: ssl.TLSVersion | None = None) -> ssl.SSLContext:
    """Return a client's TLS context that trusts the throwaway certificate, at one TLS version if given."""
    context = ssl.create_default_context(cafile=str(certificate))
    if version is not None:
        context.minimum_version = context.maximum_version = version
    return context


def get(url: str, cookie: str = "", context: ssl.SSLContext | None = None) -> tuple[str, str]:
    """Return a response's body and the sticky cookie it sets ("" when it sets none)."""
    request = urllib.request.Request(url, headers={"Cookie": f"{COOKIE}={cookie}"} if cookie else {})
    with urllib.request.urlopen(request, timeout=10, context=context) as response:
        body = response.read().decode()
        set_cookies = response.headers.get_all("Set-Cookie") or []
    issued = [header.split(";")[0].split("=", 1)[1] for header in set_cookies if header.startswith(f"{COOKIE}=")]
    return body, issued[0] if issued else ""


def run_overview(url: str, cookie: str, context: ssl.SSLContext | None = None) -> tuple[int, list[str], list[str]]:
    """Open the session's websocket as a browser carrying `cookie` does and run the overview; return the
    handshake's status, the headings drawn and any exceptions shown."""
    headings, exceptions = [], []
    address = websocket_url(url)
    with connect(
        address.replace("ws://", "wss://", 1) if url.startswith("https://") else address,
        ssl=context,
        origin=Origin(url),
        subprotocols=[Subprotocol("streamlit")],
        additional_headers={"Cookie": f"{COOKIE}={cookie}"},
        max_size=None,
        open_timeout=10,
    ) as socket:
        status = socket.response.status_code if socket.response else 0
        message = BackMsg()
        message.rerun_script.page_name = ""
        message.rerun_script.query_string = ""
        socket.send(message.SerializeToString())
        while True:
            reply = ForwardMsg()
            reply.ParseFromString(socket.recv(timeout=60))
            if reply.WhichOneof("type") == "delta" and reply.delta.WhichOneof("type") == "new_element":
                element = reply.delta.new_element
                if element.WhichOneof("type") == "heading":
                    headings.append(element.heading.body)
                if element.WhichOneof("type") == "exception":
                    exceptions.append(f"{element.exception.type}: {element.exception.message}")
            # A run that ends early for a rerun is followed by the rerun, which is the page shown.
            if reply.WhichOneof("type") == "script_finished" and (
                reply.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN
            ):
                return status, headings, exceptions


ADMIN_PASSWORD = "珞珈山-2026-behind-tls"


def check_tls(proxy: str, plain_port: int, certificate: Path) -> None:
    """The example's TLS is what a security review expects: TLS 1.2 and 1.3 only, HSTS, no version in the
    Server header, and plain HTTP answered only by a redirect to HTTPS."""
    for version in (ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3):
        with urllib.request.urlopen(f"{proxy}/", timeout=10, context=trusting(certificate, version)) as response:
            headers = response.headers
            assert headers["Strict-Transport-Security"] == "max-age=31536000"
            assert headers["Server"] == "nginx" and headers["X-Content-Type-Options"] == "nosniff"
            assert "Secure" in (headers["Set-Cookie"] or "")
    with warnings.catch_warnings():  # TLS 1.1 is deprecated in Python too: offered here only to be refused
        warnings.simplefilter("ignore", DeprecationWarning)
        old = trusting(certificate, ssl.TLSVersion.TLSv1_1)
    old.set_ciphers("DEFAULT:@SECLEVEL=0")  # let the client offer TLS 1.1, so that the server is what refuses
    with pytest.raises(urllib.error.URLError, match="PROTOCOL_VERSION"):  # the server's alert
        urllib.request.urlopen(f"{proxy}/", timeout=10, context=old)
    redirect = http.client.HTTPConnection("127.0.0.1", plain_port, timeout=10)
    redirect.request("GET", "/refresh?lang=en")
    answer = redirect.getresponse()
    assert (answer.status, answer.getheader("Location")) == (301, f"{proxy}/refresh?lang=en")


def check_sign_in_needs_https(proxy: str, direct: str) -> None:
    """With FTZ_REQUIRE_HTTPS=1, Chromium signs in through nginx's HTTPS, and is refused on plain HTTP."""
    from playwright.sync_api import sync_playwright

    from tests.conftest import CHROMIUM_ARGS, chromium_path

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        page = browser.new_context(ignore_https_errors=True).new_page()
        page.goto(f"{direct}/refresh")
        page.get_by_text("只允许通过 HTTPS 登录").wait_for(timeout=30_000)
        assert page.locator("input[type=password]").count() == 0
        page.goto(f"{proxy}/refresh")
        page.locator("input[type=text]").first.fill("admin")
        page.locator("input[type=password]").fill(ADMIN_PASSWORD)
        page.keyboard.press("Enter")
        page.get_by_text("已登录：admin").first.wait_for(timeout=30_000)
        browser.close()


def read_log(path: Path, wanted: str, timeout: float = 10) -> list[dict[str, str]]:
    """Return the access log's lines as fields, once a line for the request `wanted` is there (nginx logs
    a websocket only when it closes)."""
    deadline = time.monotonic() + timeout
    while True:
        lines = [found.groupdict() for found in LOG_LINE.finditer(path.read_text())]
        if any(line["request"].startswith(wanted) for line in lines) or time.monotonic() > deadline:
            return lines
        time.sleep(0.1)


def test_nginx_proxies_to_two_app_servers(tmp_path: Path) -> None:
    nginx = nginx_path()
    ports: set[int] = set()
    while len(ports) < 4:
        ports.add(free_port())
    first, second, plain_port, proxy_port = ports
    # Both on a copy of the shipped embedded data (a sign-in is logged beside it), on one machine: neither a
    # database nor another store from the environment.
    env = {name: value for name, value in os.environ.items() if name != "FTZ_DATABASE_URL"}
    env["FTZ_METRICS_PATH"] = str(copy_data_folder(tmp_path / "data"))
    # Sign-in over HTTPS only; the old shared password gives a sign-in form without an account file.
    env |= {"FTZ_REQUIRE_HTTPS": "1", "FTZ_ADMIN_PASSWORD": ADMIN_PASSWORD}
    included = tmp_path / "ftz-dashboard.conf"
    certificate = throwaway_certificate(tmp_path)
    example = runnable_example(EXAMPLE.read_text(), (first, second), (plain_port, proxy_port), tmp_path, certificate)
    included.write_text(example)
    tls = trusting(certificate[0])
    config = tmp_path / "nginx.conf"
    config.write_text(nginx_config(included, tmp_path))
    command = [nginx, "-p", f"{tmp_path}/", "-e", str(tmp_path / "error.log"), "-c", str(config)]
    checked = subprocess.run([*command, "-t"], capture_output=True, text=True, timeout=30)
    assert checked.returncode == 0, checked.stderr

    with ExitStack() as servers:
        for port in (first, second):
            app = [sys.executable, "serve.py", "dashboard.py", "--server.address", "127.0.0.1"]
            app += ["--server.port", str(port), "--server.headless", "true"]
            servers.enter_context(serve(app, ROOT, port, env=env))
        proxy = servers.enter_context(serve(command, tmp_path, proxy_port, timeout=30, context=tls))

        health, cookie = get(f"{proxy}/_stcore/health", context=tls)
        assert health == "ok"
        assert re.fullmatch(r"[0-9a-f]{32}", cookie), f"no sticky cookie on a first request: {cookie!r}"
        page, again = get(f"{proxy}/", cookie, tls)
        assert 'id="root"' in page
        assert again == "", "a browser that carries the cookie is not given another"
        status, headings, exceptions = run_overview(proxy, cookie, tls)
        assert status == 101
        assert t("app_title", "zh") in headings, headings
        assert not exceptions
        # Other browsers: each gets its own cookie, then comes back with it.
        for _ in range(30):
            _, other = get(f"{proxy}/_stcore/health", context=tls)
            for _ in range(2):
                get(f"{proxy}/_stcore/health", other, tls)
        check_tls(proxy, plain_port, certificate[0])
        check_sign_in_needs_https(proxy, f"http://127.0.0.1:{first}")

        lines = read_log(tmp_path / "ftz-dashboard.access.log", "GET /_stcore/stream")

    upstreams = defaultdict(set)
    for line in lines:
        upstreams[line["key"]].add(line["upstream"])
    assert {key: found for key, found in upstreams.items() if len(found) > 1} == {}, "a browser changed server"
    served = set().union(*upstreams.values())
    assert served == {f"127.0.0.1:{first}", f"127.0.0.1:{second}"}, f"browsers not spread over both servers: {served}"
    ours = [line for line in lines if line["key"] == cookie]
    assert [line["request"].split()[1] for line in ours] == ["/_stcore/health", "/", "/_stcore/stream"]
    assert ours[-1]["status"] == "101"
