"""Start the askrel web UI: the same as `askrel serve` (the index is built from sources/ first
when there is none). Options pass through, e.g. `python app.py --port 8080`."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "src"))

from askrel.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.argv = [sys.argv[0], "serve", *sys.argv[1:]]
    main()
