"""Where a benchmark ran, written beside its figures: speed and quality are only comparable with
figures from the same kind of device (a CPU with native bf16 trains several times faster than one
without it, and the embedded configs train there in another dtype)."""

from __future__ import annotations

import os
import platform
import re
from pathlib import Path


def device_name() -> str:
    """The GPU's name, or `cpu (MODEL, N cores)`."""
    import torch

    if torch.cuda.is_available():
        return torch.cuda.get_device_name(0)
    cpuinfo = Path("/proc/cpuinfo")
    models = re.findall(r"^model name\s*:\s*(.+)$", cpuinfo.read_text(), re.M) if cpuinfo.is_file() else []
    model = models[0].strip() if models else platform.processor() or platform.machine()
    return f"cpu ({model}, {os.cpu_count()} cores)"
