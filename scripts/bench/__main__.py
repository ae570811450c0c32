"""``python scripts/bench`` and ``python -m bench`` (from scripts/) both start here."""

import sys
from pathlib import Path

if not __package__:  # run as a folder: make the package importable by its name
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.run import main  # noqa: E402

sys.exit(main())
