"""``python -m benchmarks``: the issue's goals, quick sizes (under a minute).

``python -m benchmarks --full`` runs the full sizes; other arguments pass through to
``benchmarks/bench_goals.py`` (``--goal 1 3``, ``--out PATH``, ``--budget-s S`` ...).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # `bench_goals` beside this file
import bench_goals


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if "--full" in args:
        args.remove("--full")
    elif "--quick" not in args and "--report" not in args:
        args.append("--quick")
    return bench_goals.main(args)


if __name__ == "__main__":
    sys.exit(main())
