"""Print the README's set-up commands, one per line: the code lines of the fenced block between
``<!-- setup:start -->`` and ``<!-- setup:end -->`` (comments and blank lines left out).

CI runs exactly these, in order, so that an edit of the README is what CI tests.
"""

import re
import sys
from pathlib import Path


def setup_commands(readme: str) -> list[str]:
    match = re.search(r"<!-- setup:start -->\s*```bash\n(.*?)```\s*<!-- setup:end -->", readme, re.S)
    if not match:
        raise SystemExit("README.md lacks the <!-- setup:start --> ... <!-- setup:end --> block")
    return [line.strip() for line in match.group(1).splitlines() if line.strip() and not line.strip().startswith("#")]


if __name__ == "__main__":
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "README.md")
    print("\n".join(setup_commands(path.read_text())))
