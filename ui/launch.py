"""Start the dashboard: ``python -m ui.launch [streamlit options]``.

Streamlit treats an app whose entry point sits next to a folder named ``pages/`` as a
legacy multipage app until some session has executed ``st.navigation``; on a fresh server the
*first* request that deep-links to a page would then skip ``app.py``. ``st.navigation`` itself
clears that flag, so the launcher clears it before the server starts: ``app.py`` then always
runs and lists the pages with ``st.navigation`` (a browser test proves deep links work on the
very first request).
"""
from __future__ import annotations

import sys
from pathlib import Path

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli

APP = Path(__file__).resolve().parent.parent / "app.py"

DEFAULT_OPTIONS = [
    "--browser.gatherUsageStats=false",
    "--server.fileWatcherType=none",
]


def main(argv: list[str] | None = None) -> None:
    PagesManager.uses_pages_directory = False
    sys.argv = ["streamlit", "run", str(APP), *DEFAULT_OPTIONS, *(sys.argv[1:] if argv is None else argv)]
    cli.main()


if __name__ == "__main__":
    main()
