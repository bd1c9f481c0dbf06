"""Serve a built site on 127.0.0.1 (for `invoke serve` and the browser tests)."""

from __future__ import annotations

import errno
import functools
import gzip
import http.server
import socket
import sys
import threading
import urllib.parse
from pathlib import Path


class _Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".js": "text/javascript",
        ".mjs": "text/javascript",
        ".wasm": "application/wasm",
        ".svg": "image/svg+xml",
        ".woff2": "font/woff2",
    }

    def send_head(self):
        # A NUL byte (or a backslash) in the path: 400, never a traceback.
        path = urllib.parse.unquote(self.path.split("?", 1)[0].split("#", 1)[0])
        if "\x00" in path or "\\" in path:
            self.send_error(400, "Bad path")
            return None
        return super().send_head()

    def send_error(self, code, message=None, explain=None):
        """A missing address gets the site's 404.html (status 404), as GitHub Pages does."""
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            return super().send_error(code, message, explain)
        body = page.read_bytes()
        self.send_response(404, message)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        return None

    def log_message(self, format, *args):  # quiet unless something fails
        if args and str(args[1])[:1] in "45":
            super().log_message(format, *args)


class _GzipHandler(_Handler):
    """Text files gzipped for a client that accepts it, as GitHub Pages serves them (the
    benchmarks that count bytes on a throttled network)."""

    TEXT = (".html", ".css", ".js", ".json", ".svg", ".xml", ".txt")

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            if not self.path.split("?", 1)[0].endswith("/"):
                return super().send_head()  # the redirect to the folder's URL
            path = path / "index.html"
        wants = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (wants and path.suffix in self.TEXT and path.is_file()):
            return super().send_head()
        body = gzip.compress(path.read_bytes(), 6)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return _Bytes(body)


class _Bytes:
    """A body for SimpleHTTPRequestHandler's copyfile."""

    def __init__(self, data: bytes):
        self.data = data

    def read(self, n: int = -1) -> bytes:
        data, self.data = self.data, b""
        return data

    def close(self) -> None:
        pass


class _Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        # A browser that leaves a page while it loads closes connections: not an error.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


def port_problem(port) -> str | None:
    """Why `invoke serve` cannot listen on 127.0.0.1:``port`` (one line), or None."""
    try:
        number = int(port)
    except (TypeError, ValueError):
        return f"--port {port!r} is not a number: give a port from 1024 to 65535, e.g. 8000"
    if not 0 < number < 65536:
        return f"--port {number} is out of range: give a port from 1024 to 65535, e.g. 8000"
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", number))
        except OSError as e:
            if e.errno == errno.EADDRINUSE:
                return f"port {number} is busy (another server?): give another with --port"
            return f"cannot listen on 127.0.0.1:{number} ({e.strerror}): give another --port"
    return None


def make_server(
    root: Path, port: int = 0, compress: bool = False
) -> http.server.ThreadingHTTPServer:
    handler = functools.partial(_GzipHandler if compress else _Handler, directory=str(root))
    return _Server(("127.0.0.1", port), handler)


def serve_forever(root: Path, port: int) -> None:
    with make_server(root, port) as httpd:
        try:
            httpd.serve_forever()
        except KeyboardInterrupt:
            pass


class BackgroundServer:
    """Context manager: run ``httpd`` (bound to 127.0.0.1) in a thread; ``.url`` is its
    base URL.  Subclasses set ``self.httpd`` and call ``super().__init__()``."""

    httpd: http.server.HTTPServer

    def __init__(self):
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self):
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class ServedSite(BackgroundServer):
    """Serve the folder ``root`` (a built site) on 127.0.0.1 in a thread (text gzipped
    with ``compress=True``)."""

    def __init__(self, root: Path, compress: bool = False):
        self.httpd = make_server(root, compress=compress)
        super().__init__()
