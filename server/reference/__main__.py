"""`python -m server.reference [ROOT]`: rewrite the generated reference files."""

from __future__ import annotations

import sys
from pathlib import Path

from server.config import Settings
from server.reference.write import write_all

if __name__ == "__main__":
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path.cwd()
    for path in write_all(root, Settings()):
        print(path)
