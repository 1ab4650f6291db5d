"""A stub OpenID Connect provider on loopback, for the single sign-on test: it signs in whoever it is told
to, at once, with an RS256 ID token, as an organisation's provider would after its own login page."""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from joserfc import jwt
from joserfc.jwk import RSAKey

from tests.postgres import free_port

CLIENT_ID, CLIENT_SECRET = "ftz-dashboard", "stub-client-secret"


@contextmanager
def stub_provider(username: str) -> Iterator[str]:
    """Run the provider until the block ends; yield its issuer URL. Everyone who comes is `username`."""
    port = free_port()
    issuer = f"http://127.0.0.1:{port}"
    key = RSAKey.generate_key(2048, parameters={"kid": "stub"})
    nonces: dict[str, str] = {}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _json(self, body: object) -> None:
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            url = urllib.parse.urlsplit(self.path)
            query = dict(urllib.parse.parse_qsl(url.query))
            if url.path == "/.well-known/openid-configuration":
                self._json(
                    {
                        "issuer": issuer,
                        "authorization_endpoint": f"{issuer}/authorize",
                        "token_endpoint": f"{issuer}/token",
                        "jwks_uri": f"{issuer}/jwks",
                        "response_types_supported": ["code"],
                        "subject_types_supported": ["public"],
                        "id_token_signing_alg_values_supported": ["RS256"],
                        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
                    }
                )
            elif url.path == "/jwks":
                self._json({"keys": [key.as_dict(private=False)]})
            elif url.path == "/authorize":
                code = f"code-{len(nonces)}"
                nonces[code] = query.get("nonce", "")
                back = f"{query['redirect_uri']}?{urllib.parse.urlencode({'code': code, 'state': query['state']})}"
                self.send_response(302)
                self.send_header("Location", back)
                self.end_headers()
            else:
                self.send_error(404)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
            if self.path != "/token" or form.get("code") not in nonces:
                self.send_error(400)
                return
            now = int(time.time())
            claims = {
                "iss": issuer,
                "sub": f"stub-{username}",
                "aud": CLIENT_ID,
                "iat": now,
                "exp": now + 600,
                "nonce": nonces.pop(form["code"]),
                "preferred_username": username,
                "name": username,
            }
            token = jwt.encode({"alg": "RS256", "kid": "stub"}, claims, key)
            self._json({"access_token": "stub-access", "token_type": "Bearer", "expires_in": 600, "id_token": token})

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield issuer
    finally:
        server.shutdown()
        server.server_close()
