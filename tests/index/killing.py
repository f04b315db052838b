"""Kill a writer process with SIGKILL at the moment it reports being inside its commit."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path


def kill_at_marker(child: subprocess.Popen[bytes], marker: Path, timeout: float = 120) -> None:
    """Wait until `child` writes `marker` (it then waits inside its commit), SIGKILL it, and
    check that the kill is what ended it."""
    try:
        deadline = time.monotonic() + timeout
        while not marker.exists():
            assert child.poll() is None, "the child ended before its commit"
            assert time.monotonic() < deadline
            time.sleep(0.05)
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait()
    assert child.returncode == -signal.SIGKILL
