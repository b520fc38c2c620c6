"""What every stage shares: the one error users see, the command wrapper, writes that an
interruption never leaves half done, one process per output directory, and provenance."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import signal
import socket
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

LIBRARIES = ("torch", "transformers", "trl", "peft", "datasets", "accelerate", "bitsandbytes", "wandb", "gguf")


class FctuneError(Exception):
    """Bad input or settings: a command prints it as one `error: ...` line and exits 2."""


def error_summary(e: BaseException) -> str:
    """A library exception in one line for our own error messages: its first line, else its type."""
    text = str(e).strip()
    return text.splitlines()[0] if text else type(e).__name__


class Terminated(BaseException):
    """SIGTERM (what `timeout` and job schedulers send), raised so that cleanup runs as for Ctrl-C."""


def run_cli(body: Callable[[], int], interrupted: str, debug: bool = False) -> int:
    """`body()`'s exit code. An FctuneError or OSError is one `error:` line and exit 2; Ctrl-C exits 130,
    SIGTERM 143.

    `debug` (or FCTUNE_DEBUG=1) lets the exception through with its traceback. Import the libraries
    `body` needs inside it, so that `quiet_known_noise` comes first."""
    debug = debug or os.environ.get("FCTUNE_DEBUG") == "1"
    quiet_known_noise()
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        return body()
    except (FctuneError, OSError) as e:  # OSError: a path that cannot be read or written, a full disk
        if debug:
            raise
        print(f"error: {e}", file=sys.stderr)
        return 2
    except (KeyboardInterrupt, Terminated) as e:
        print(interrupted, file=sys.stderr)
        return 143 if isinstance(e, Terminated) else 130
    finally:
        signal.signal(signal.SIGTERM, previous)


def quiet_known_noise() -> None:
    """Messages every command would print, set aside by the command (never at import)."""
    import logging
    import warnings

    # bitsandbytes (imported by TRL and PEFT) tries to fetch an optional CPU kernel from the Hub and
    # warns when it cannot; its built-in CPU path is then used.
    logging.getLogger("bitsandbytes.backends.cpu.ops").setLevel(logging.ERROR)
    # transformers 5 renamed gradient checkpointing: TRL's configs default `gradient_checkpointing`
    # (the warning fires for every config that does not set it), and PEFT asks the model for
    # `is_gradient_checkpointing` whenever an adapter is loaded.
    warnings.filterwarnings("ignore", message="`(is_)?gradient_checkpointing` is deprecated")


def _raise_terminated(signum, frame):
    raise Terminated()


def take_debug_flag(argv: list[str]) -> tuple[list[str], bool]:
    """`argv` without a `--debug` flag, and whether it was there."""
    return [a for a in argv if a != "--debug"], "--debug" in argv


@contextmanager
def replace_dir(out: Path) -> Iterator[Path]:
    """Yields a temporary directory beside `out` (`.NAME.partial-XXXX`); on success it replaces `out`, on
    failure it is removed. A process killed outright leaves it behind: `remove_partial_dirs` clears those."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-", dir=out.parent))
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


def partial_dirs(out: Path) -> list[Path]:
    """What `replace_dir(out)` left behind when its process was killed before it could clean up."""
    return sorted(p for p in out.parent.glob(f".{out.name}.partial-*") if p.is_dir())


def remove_partial_dirs(out: Path) -> None:
    """Only while holding the lock of the directory that holds them: no live process is writing them."""
    for p in partial_dirs(out):
        shutil.rmtree(p, ignore_errors=True)


def write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def lock_path(directory: Path) -> Path:
    return directory.parent / f".{directory.name}.lock"


@contextmanager
def exclusive(directory: Path, what: str) -> Iterator[None]:
    """Holds the lock of `directory` (a file beside it) for this process, or refuses at once.

    The lock is an flock, which the kernel releases when its process ends however it ends, so
    a lock left by a dead process is simply taken over. The file holds the pid and host of its
    holder, for the message the next process prints."""
    path = lock_path(directory)
    path.parent.mkdir(parents=True, exist_ok=True)
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(fd)
            os.close(fd)
            raise FctuneError(
                f"{directory} is in use by {what} {holder} (lock {path}); wait for it to end, or stop it"
            ) from None
        # The previous holder may have removed the file between our open and our lock: lock the one on disk.
        try:
            same = os.stat(path).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)
    try:
        os.ftruncate(fd, 0)
        os.write(fd, json.dumps({"pid": os.getpid(), "host": socket.gethostname()}).encode())
        yield
    finally:
        path.unlink(missing_ok=True)  # before unlocking, so a waiting process retries on a fresh file
        os.close(fd)


def _read_holder(fd: int) -> str:
    try:
        info = json.loads(os.pread(fd, 4096, 0) or b"{}")
        return f"process {info['pid']} on {info['host']}"
    except (OSError, ValueError, KeyError, TypeError):
        return "another process"


def library_versions() -> dict:
    out = {"python": sys.version.split()[0]}
    for name in LIBRARIES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = None
    return out


def git_commit(root: Path | None = None) -> str | None:
    """The commit this fctune checkout is at, read from the repository's files, or None.

    Git itself is never run: `git status` and friends honour GIT_* variables and repository
    config (core.fsmonitor, filters), either of which can name a command to execute."""
    root = root or Path(__file__).resolve().parent.parent
    try:
        git = root / ".git"
        gitdir = git
        if git.is_file():  # a worktree or submodule: "gitdir: PATH"
            gitdir = Path(git.read_text(encoding="utf-8").strip().removeprefix("gitdir:").strip())
            gitdir = gitdir if gitdir.is_absolute() else root / gitdir
        common = gitdir
        if (gitdir / "commondir").is_file():
            common = gitdir / (gitdir / "commondir").read_text(encoding="utf-8").strip()
        head = (gitdir / "HEAD").read_text(encoding="utf-8").strip()
        commit = head
        if head.startswith("ref: "):
            ref = head[5:].strip()
            loose = next((d / ref for d in (gitdir, common) if (d / ref).is_file()), None)
            if loose is not None:
                commit = loose.read_text(encoding="utf-8").strip()
            else:
                commit = _packed_ref(common / "packed-refs", ref)
    except (OSError, UnicodeDecodeError):
        return None
    return commit if commit and len(commit) in (40, 64) and all(c in "0123456789abcdef" for c in commit) else None


def _packed_ref(path: Path, ref: str) -> str:
    if not path.is_file():
        return ""
    for line in path.read_text(encoding="utf-8").splitlines():
        sha, _, name = line.partition(" ")
        if name == ref:
            return sha
    return ""


def provenance() -> dict:
    """What produced a result: library versions and the fctune commit."""
    return {"versions": library_versions(), "git_commit": git_commit()}
