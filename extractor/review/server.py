"""Running the review app: loopback only unless an access token is given, on a free port by default."""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path

from ..errors import ExtractorError
from .security import is_loopback


class UnsafeBind(ExtractorError):
    """A bind address other than loopback without an access token."""

    kind = "review"
    hint = "bind to 127.0.0.1 (the default), or give --token so every request must carry it"


def open_socket(host: str, port: int) -> socket.socket:
    """A listening socket on host:port (port 0: a free port the system picks)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host.strip("[]"), port))
    except OSError as error:
        sock.close()
        raise ExtractorError(f"cannot listen on {host}:{port} ({error.strerror})",
                             hint="give another --port, or leave it out to take a free one") from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def address(sock: socket.socket, token: str | None) -> str:
    """The address to open in a browser, with the token when there is one."""
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/" + (f"?token={token}" if token else "")


def serve(db_path: Path | str, annotator: str, host: str = "127.0.0.1", port: int = 0, token: str | None = None,
          announce: Callable[[str], None] = print) -> None:
    """Run the review app until interrupted; ``announce`` receives the address first."""
    if not is_loopback(host) and not token:
        raise UnsafeBind(f"refusing to serve the review app on {host}, which other machines can reach, "
                         "without an access token")
    import uvicorn

    from .app import create_app

    app = create_app(db_path, annotator, token, host)
    sock = open_socket(host, port)
    announce(address(sock, token))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
