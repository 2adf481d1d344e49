"""Atomic file writes: a digest file is either complete or absent, never half written."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from newsmon.errors import DeliveryError


def write_atomic(path: Path, content: str, subscription: str) -> None:
    """Write to a temporary file in the same folder, fsync, then rename over ``path``."""
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
        tmp = None
    except OSError as exc:
        raise DeliveryError(f"cannot write {path}: {exc.strerror or exc}", subscription) from exc
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
