"""Raw bytes on disk, addressed by their sha256: written once, never changed."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from vpetl.errors import VpetlError


class BlobWriteError(VpetlError, OSError):
    """Bytes the blob store could not keep (disk full, folder gone, no permission): the OSError
    it comes from, always with the file it concerns (a full disk's failed write names none), so
    that it is told as an error of the disk (`vpetl.filesystem`) in one line, and the run stops."""

    def __init__(self, exc: OSError, path: Path | str) -> None:
        super().__init__(exc.errno, exc.strerror or str(exc), exc.filename or str(path))


class BlobWriter:
    """Streams a body to a temporary file, hashing it; `commit` moves it to its address. Any
    error writing raises BlobWriteError, with the temporary file removed."""

    def __init__(self, store: BlobStore) -> None:
        self.store = store
        self.tmp: str | None = None
        try:
            store.root.mkdir(parents=True, exist_ok=True)
            fd, self.tmp = tempfile.mkstemp(dir=store.root, prefix=".incoming-")
        except OSError as exc:
            raise BlobWriteError(exc, store.root) from exc
        self.fh = os.fdopen(fd, "wb")
        self.digest = hashlib.sha256()

    def write(self, chunk: bytes) -> None:
        self.digest.update(chunk)
        try:
            self.fh.write(chunk)
        except OSError as exc:
            self.abort()
            raise BlobWriteError(exc, self.tmp or self.store.root) from exc

    def commit(self) -> str:
        try:
            self.fh.flush()
            os.fsync(self.fh.fileno())
            self.fh.close()
            sha = self.digest.hexdigest()
            target = self.store.path(sha)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(self.tmp or "", target)  # whole or not at all; the same bytes twice are one file
        except OSError as exc:
            self.abort()
            raise BlobWriteError(exc, self.tmp or self.store.root) from exc
        return sha

    def abort(self) -> None:
        """Drop what was written; never raises (it runs while another error is on its way)."""
        try:
            self.fh.close()
        except OSError:
            pass  # a full disk fails the close's flush too; the file goes anyway
        if self.tmp:
            Path(self.tmp).unlink(missing_ok=True)


class BlobStore:
    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    def path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def writer(self) -> BlobWriter:
        return BlobWriter(self)

    def put(self, data: bytes) -> str:
        """Store bytes; returns their sha256."""
        sha = hashlib.sha256(data).hexdigest()
        if sha not in self:
            w = self.writer()
            w.write(data)
            w.commit()
        return sha

    def get(self, sha256: str) -> bytes:
        return self.path(sha256).read_bytes()

    def __contains__(self, sha256: str) -> bool:
        return self.path(sha256).exists()
