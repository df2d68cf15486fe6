"""LibreOffice on a leash: no network, no links, no macros, no survivors, no leftovers.

A document is hostile input, and LibreOffice is a whole office suite: given an .odt or .doc
with a picture linked to `http://localhost:PORT/`, it fetches it (following redirects to other
hosts), which is a request vpetl itself would refuse; stopped by a budget, or orphaned by a run
killed with SIGKILL, `oosplash` and `soffice.bin` live on for minutes; and its temporary files
stay. So each conversion

- runs in a network namespace of its own (`unshare --net`, which has only a loopback that is
  down), where the platform allows; where it does not, behind a proxy that does not exist;
- starts with a fresh profile whose settings never update links, never run macros, block
  links to untrusted places and never recalculate formulas on load;
- runs in its own process group, and in its own PID namespace where allowed, killed whole
  when its budget runs out, and killed by the kernel when the process that started it dies
  (`setpriv --pdeathsig`; `unshare --kill-child` carries it into the namespace);
- works in one `vpetl-convert-*` folder (document, profile, TMPDIR), removed afterwards in
  every case; folders left by a process that no longer exists are swept at the next start.
"""

from __future__ import annotations

import functools
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from vpetl.errors import VpetlError

PREFIX = "vpetl-convert-"
OWNER = "owner.pid"  # the pid of the process that made a folder: gone, the folder is swept
KILL_WAIT = 5.0  # seconds to wait for a killed group to be reaped (SIGKILL cannot be ignored)
DEAD_PROXY = ("127.0.0.1", 1)  # tcpmux: nothing listens there, so a request goes nowhere

# A profile's settings (registrymodifications.xcu): links never updated (Writer 0 = never, Calc
# 1 = never), macros never run, links to untrusted places blocked, formulas never recalculated
# on load (1 = never: the values the document holds are the values vpetl reads), and every
# protocol through a proxy that does not exist (for platforms without a network namespace).
SETTINGS = [
    ("/org.openoffice.Office.Writer/Content/Update", "Link", "xs:int", "0"),
    ("/org.openoffice.Office.Calc/Content/Update", "Link", "xs:int", "1"),
    ("/org.openoffice.Office.Common/Security/Scripting", "MacroSecurityLevel", "xs:int", "3"),
    ("/org.openoffice.Office.Common/Security/Scripting", "DisableMacrosExecution", "xs:boolean", "true"),
    ("/org.openoffice.Office.Common/Security/Scripting", "BlockUntrustedRefererLinks", "xs:boolean", "true"),
    ("/org.openoffice.Office.Calc/Formula/Load", "OOXMLRecalcMode", "xs:int", "1"),
    ("/org.openoffice.Office.Calc/Formula/Load", "ODFRecalcMode", "xs:int", "1"),
    ("/org.openoffice.Inet/Settings", "ooInetProxyType", "xs:int", "1"),
    ("/org.openoffice.Inet/Settings", "ooInetNoProxy", "xs:string", ""),
    *[("/org.openoffice.Inet/Settings", f"ooInet{p}ProxyName", "xs:string", DEAD_PROXY[0])
      for p in ("HTTP", "HTTPS", "FTP")],
    *[("/org.openoffice.Inet/Settings", f"ooInet{p}ProxyPort", "xs:int", str(DEAD_PROXY[1]))
      for p in ("HTTP", "HTTPS", "FTP")],
]


class ConversionTimeout(VpetlError):
    """LibreOffice ran past its budget; it was killed, with everything it started."""


@dataclass(frozen=True)
class Result:
    returncode: int
    output: bytes  # stdout and stderr together, for the reason when a conversion fails


def profile_settings() -> str:
    """The registrymodifications.xcu of a conversion's private profile."""
    items = "".join(f'<item oor:path="{path}"><prop oor:name="{name}" oor:op="fuse" oor:type="{kind}">'
                    f"<value>{value}</value></prop></item>\n" for path, name, kind, value in SETTINGS)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
            'xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
            f"{items}</oor:items>\n")


@functools.cache
def namespaces() -> tuple[str, ...]:
    """The `unshare` words that give a command no network and a PID namespace of its own, as far
    as this machine allows (tried once): as root, or with an unprivileged user namespace."""
    if shutil.which("unshare") is None:
        return ()
    user = () if os.geteuid() == 0 else ("--user", "--map-root-user")
    for words in (("--net", "--pid", "--fork", "--kill-child=SIGKILL"), ("--net",)):
        command = ["unshare", *user, *words, "true"]
        try:
            if subprocess.run(command, capture_output=True, timeout=10, check=False).returncode == 0:
                return ("unshare", *user, *words, "--")
        except (OSError, subprocess.TimeoutExpired):
            return ()
    return ()


def isolated() -> bool:
    """Whether conversions run without network (a namespace of their own) on this machine."""
    return bool(namespaces())


def _with_parent() -> tuple[str, ...]:
    """`setpriv --pdeathsig KILL`: the command dies with the process that started it."""
    return ("setpriv", "--pdeathsig", "KILL", "--") if shutil.which("setpriv") else ()


@contextmanager
def workspace() -> Iterator[Path]:
    """A `vpetl-convert-*` folder with a profile set up as above, removed afterwards in every case."""
    sweep()
    folder = Path(tempfile.mkdtemp(prefix=PREFIX))
    try:
        (folder / OWNER).write_text(str(os.getpid()))
        user = folder / "profile" / "user"
        user.mkdir(parents=True)
        (user / "registrymodifications.xcu").write_text(profile_settings(), encoding="utf-8")
        (folder / "tmp").mkdir()
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def sweep(parent: Path | None = None) -> list[Path]:
    """Remove the conversion folders whose owner process no longer exists (a run killed with
    SIGKILL cannot clean up after itself); returns what was removed."""
    removed = []
    for folder in Path(parent or tempfile.gettempdir()).glob(f"{PREFIX}*"):
        try:
            pid = int((folder / OWNER).read_text())
        except (OSError, ValueError):
            continue  # not ours, or not finished being made
        if not alive(pid):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def alive(pid: int) -> bool:
    """Whether a process with this pid exists (one we may not signal counts as alive)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return True


def run(soffice: str, args: list[str], folder: Path, budget: float) -> Result:
    """`soffice args` with the profile and temporary folder of `folder`, on the leash above;
    raises ConversionTimeout when it runs past `budget` seconds (everything it started is
    killed first)."""
    profile = (folder / "profile").as_uri()
    command = [*_with_parent(), *namespaces(), soffice, f"-env:UserInstallation={profile}", "--headless",
               "--norestore", "--nologo", "--nodefault", "--nolockcheck", *args]
    proxy = f"http://{DEAD_PROXY[0]}:{DEAD_PROXY[1]}"
    env = {**os.environ, "HOME": str(folder), "TMPDIR": str(folder / "tmp"), "TMP": str(folder / "tmp"),
           "http_proxy": proxy, "https_proxy": proxy, "ftp_proxy": proxy, "all_proxy": proxy, "no_proxy": "",
           "HTTP_PROXY": proxy, "HTTPS_PROXY": proxy, "ALL_PROXY": proxy, "NO_PROXY": ""}
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               env=env, cwd=folder, start_new_session=True)
    try:
        output, _ = process.communicate(timeout=budget)
    except subprocess.TimeoutExpired:
        kill_group(process)
        raise ConversionTimeout(f"LibreOffice ran past its budget of {budget:g} s; stopped") from None
    finally:
        kill_group(process)  # whatever it left behind in its group (oosplash's soffice.bin)
    return Result(process.returncode, output or b"")


def kill_group(process: subprocess.Popen[bytes]) -> None:
    """Kill the process group `process` leads, and reap the leader (bounded wait)."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    deadline = time.monotonic() + KILL_WAIT
    while process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    for stream in (process.stdout, process.stderr):
        if stream is not None:
            stream.close()
