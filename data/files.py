"""Writing a directory so that an interruption never leaves half of it in place, and
running a command so that expected failures are one line."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def replace_dir(out: Path) -> Iterator[Path]:
    """Yields a temporary directory beside `out`; on success it replaces `out`, on failure it is removed."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    umask = os.umask(0)
    os.umask(umask)
    tmp.chmod(0o777 & ~umask)  # mkdtemp makes it private; the result is as readable as any new directory
    try:
        yield tmp
        if out.exists():
            shutil.rmtree(out)
        tmp.rename(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def run_command(body: Callable[[], int], errors: tuple[type[BaseException], ...], interrupted: str) -> int:
    """`body()`'s exit code; an expected error is `error: ...` and exit 2, Ctrl-C exit 130."""
    try:
        return body()
    except errors as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(interrupted, file=sys.stderr)
        return 130
