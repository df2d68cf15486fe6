"""Errors of the machine's disk, told apart from bugs: a read-only or full disk, a missing
folder or a permission refused is the user's to fix, and is said in one line, never as a
traceback or as "bug in vpetl" repeated for every question."""

from __future__ import annotations

import errno

# What a disk or its permissions refuse. An OSError with a file name and one of these numbers
# comes from a file operation (a socket's errors carry no file name).
FILESYSTEM_ERRNOS = {errno.EACCES: "vpetl may not write or read there", errno.EPERM: "not permitted",
                     errno.EROFS: "the disk is read-only", errno.ENOSPC: "the disk is full",
                     errno.EDQUOT: "the disk quota is used up", errno.ENOENT: "no such file or folder",
                     errno.ENOTDIR: "a part of the path is a file, not a folder",
                     errno.EISDIR: "it is a folder, not a file", errno.EEXIST: "it exists already",
                     errno.ENAMETOOLONG: "the name is too long"}


def is_filesystem(exc: BaseException) -> bool:
    """True for an error of the disk (see FILESYSTEM_ERRNOS), not of the network or of vpetl."""
    return isinstance(exc, OSError) and exc.errno in FILESYSTEM_ERRNOS and exc.filename is not None


def one_line(exc: OSError) -> str:
    """ "cannot use /data/blobs/ab: the disk is read-only [Errno 30]" """
    where = str(exc.filename if exc.filename2 is None else f"{exc.filename} -> {exc.filename2}")
    line = f"cannot use {where}: {FILESYSTEM_ERRNOS.get(exc.errno or 0, exc.strerror)} ({exc.strerror})"
    if exc.errno == errno.ENOENT and "/blobs/" in where:
        line += "; the store's raw bytes are not in that data dir: was it filled with another --data-dir?"
    return line
