"""Shared by the benchmark scripts: per-process memory readings, machine facts, formatting."""

from __future__ import annotations

import math
import os
import platform
import resource
from typing import Any


def _mb(kib: float) -> float:
    return kib / 1024.0


def peak_kib() -> int:
    """Peak resident set of this process (ru_maxrss is KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _status_kib(field: str, pid: int | str = "self") -> int | None:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def current_kib() -> int:
    """Current resident set (VmRSS), falling back to the peak where /proc is missing."""
    v = _status_kib("VmRSS")
    return peak_kib() if v is None else v


def hwm_kib() -> int:
    """Resident-set high-water mark since the last reset (VmHWM), else ru_maxrss."""
    v = _status_kib("VmHWM")
    return peak_kib() if v is None else v


def reset_peak() -> bool:
    """Reset the peak-RSS high-water mark (Linux >= 4.0). True if it worked."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        return False
    return True


def machine() -> dict[str, Any]:
    """Versions and machine facts recorded next to every benchmark result."""
    import numpy as np
    import ortools
    import pandas as pd
    import scipy

    import crossmatch as cm

    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "scipy": scipy.__version__,
        "ortools": ortools.__version__,
        "crossmatch": cm.__version__,
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
    }


def _fmt_size(n: int, m: int) -> str:
    return f"{n:,}x{m:,}"


def _fmt_s(x: float | None) -> str:
    if x is None:
        return "-"
    return f"{x:.3f}" if x < 10 else f"{x:.1f}"


def plain(x: Any) -> Any:
    """JSON-safe copy (numpy scalars and arrays, tuples, non-finite floats)."""
    import numpy as np

    if isinstance(x, dict) or hasattr(x, "items"):
        return {str(k): plain(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [plain(v) for v in x]
    if isinstance(x, np.ndarray):
        return plain(x.tolist()) if x.size <= 100 else f"<array shape {x.shape}>"
    if isinstance(x, np.generic):
        return plain(x.item())
    if isinstance(x, float) and not math.isfinite(x):
        return str(x)
    if isinstance(x, bool | int | float | str) or x is None:
        return x
    return repr(x)
