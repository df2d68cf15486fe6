"""Raw bytes on disk, addressed by their sha256: written once, never changed."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path


class BlobWriter:
    """Streams a body to a temporary file, hashing it; `commit` moves it to its address."""

    def __init__(self, store: BlobStore) -> None:
        self.store = store
        store.root.mkdir(parents=True, exist_ok=True)
        fd, self.tmp = tempfile.mkstemp(dir=store.root, prefix=".incoming-")
        self.fh = os.fdopen(fd, "wb")
        self.digest = hashlib.sha256()

    def write(self, chunk: bytes) -> None:
        self.digest.update(chunk)
        self.fh.write(chunk)

    def commit(self) -> str:
        self.fh.flush()
        os.fsync(self.fh.fileno())
        self.fh.close()
        sha = self.digest.hexdigest()
        target = self.store.path(sha)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(self.tmp, target)  # whole or not at all; the same bytes twice are one file
        return sha

    def abort(self) -> None:
        self.fh.close()
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
