"""Start the dashboard: ``python -m ui.launch [streamlit options]``.

Streamlit treats an app whose entry point sits next to a folder named ``pages/`` as a
legacy multipage app until some session has executed ``st.navigation``; on a fresh server the
*first* request that deep-links to a page would then skip ``app.py``. ``st.navigation`` itself
clears that flag, so the launcher clears it before the server starts: ``app.py`` then always
runs and lists the pages with ``st.navigation`` (a browser test proves deep links work on the
very first request).

It also sets ``server.maxUploadSize`` to the core's file limit (:data:`aggregation.bounds.MAX_FILE_MB`):
Streamlit checks an upload's size on the server (Content-Length first, then the bytes as they arrive),
so the limit the import widget states is the one enforced, whatever a browser or script sends.
"""
from __future__ import annotations

import sys
from pathlib import Path

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli

from aggregation.bounds import MAX_FILE_MB

APP = Path(__file__).resolve().parent.parent / "app.py"

DEFAULT_OPTIONS = [
    "--browser.gatherUsageStats=false",
    "--server.fileWatcherType=none",
    # Streamlit's upload limit (MiB, enforced by the server: a larger request gets HTTP 413) is the core's
    # one value, the limit the import widget states
    f"--server.maxUploadSize={MAX_FILE_MB}",
]


def main(argv: list[str] | None = None) -> None:
    PagesManager.uses_pages_directory = False
    sys.argv = ["streamlit", "run", str(APP), *DEFAULT_OPTIONS, *(sys.argv[1:] if argv is None else argv)]
    cli.main()


if __name__ == "__main__":
    main()
