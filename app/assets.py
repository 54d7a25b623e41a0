"""The files of static/, read once at start-up and served from memory.

Each file is served under a name holding a hash of its content (`madrina.3f2a9c1d0b7e.css`,
what `url_for("static", path="madrina.css")` gives) with a year's immutable caching: a
changed file gets a new name, so browsers never keep an old one. The plain name still
answers, revalidated by its ETag. Text files are gzipped once, here, for browsers that
accept it.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import Receive, Scope, Send

IMMUTABLE = b"public, max-age=31536000, immutable"
REVALIDATE = b"no-cache"
TEXT_TYPES = ("text/", "application/javascript", "application/json", "image/svg+xml")


@dataclass(frozen=True)
class Asset:
    body: bytes
    gzipped: bytes | None
    content_type: str
    etag: str
    cache_control: bytes


class Assets:
    """An ASGI app serving the files of `directory` (mounted at /static)."""

    def __init__(self, directory: Path) -> None:
        self.served: dict[str, Asset] = {}
        self.hashed: dict[str, str] = {}
        for path in sorted(p for p in directory.rglob("*") if p.is_file()):
            name = path.relative_to(directory).as_posix()
            body = path.read_bytes()
            digest = hashlib.sha256(body).hexdigest()[:12]
            stem, dot, suffix = name.rpartition(".")
            plain = not dot or "/" in suffix  # no extension
            hashed = f"{name}.{digest}" if plain else f"{stem}.{digest}.{suffix}"
            content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
            if content_type.startswith("text/"):
                content_type += "; charset=utf-8"
            gzipped = gzip.compress(body, 9) if content_type.startswith(TEXT_TYPES) else None
            etag = f'"{digest}"'
            self.hashed[name] = hashed
            self.served[hashed] = Asset(body, gzipped, content_type, etag, IMMUTABLE)
            self.served[name] = Asset(body, gzipped, content_type, etag, REVALIDATE)

    def url_name(self, name: str) -> str:
        """The name to link to: the hashed one for a file we have."""
        return self.hashed.get(name, name)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] not in ("GET", "HEAD"):
            raise HTTPException(status_code=405)
        # Mounted: root_path ends with the mount's prefix, path is the whole path.
        asset = self.served.get(scope["path"][len(scope.get("root_path", "")) :].lstrip("/"))
        if asset is None:
            raise HTTPException(status_code=404)
        request = Headers(scope=scope)
        headers = [(b"etag", asset.etag.encode()), (b"cache-control", asset.cache_control)]
        if asset.gzipped is not None:
            headers.append((b"vary", b"Accept-Encoding"))
        if asset.etag in [t.strip() for t in request.get("if-none-match", "").split(",")]:
            await send({"type": "http.response.start", "status": 304, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return
        body = asset.body
        if asset.gzipped is not None and "gzip" in request.get("accept-encoding", ""):
            body = asset.gzipped
            headers.append((b"content-encoding", b"gzip"))
        headers += [
            (b"content-type", asset.content_type.encode()),
            (b"content-length", str(len(body)).encode()),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send(
            {"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body}
        )
