"""`triage next` in a real terminal (tmux): a long abstract read page by page, a decision, and its undo.

tmux gives the command a terminal of a known size, so the keys go through ``click.getchar``
as a screener's would. Skipped when tmux is not installed.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from triage_helpers import triage_db

from extractor.store_triage import TriageStore
from extractor.triage.criteria import Criteria

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")

LAST_WORDS = "wakings-closing-sentence-marker"
LONG_ABSTRACT = " ".join(
    f"Paragraph {index}: families of toddlers with night waking were visited by nurses who coached sleep routines, "
    f"and parents kept diaries of every waking for two weeks." for index in range(1, 31)
) + f" Final words: {LAST_WORDS}."
PAPERS = [
    ("Nurse visits for toddler night waking: a long randomised trial", LONG_ABSTRACT, 2021, "10.1000/long1"),
    ("Hospital parking fees", "A survey of parking fees in 30 hospitals.", 2012, "10.1000/park2"),
    ("Dental visits in adults", "A cohort of adults followed for dental visits.", 2015, "10.1000/dent3"),
]
EXTRACTOR = Path(sys.executable).with_name("extractor")


class Terminal:
    """One tmux session on a socket of its own (it touches no other tmux server)."""

    def __init__(self, command: list[str], width: int = 90, height: int = 30):
        self.socket = f"extractor-test-{uuid.uuid4().hex[:8]}"
        self.tmux(["new-session", "-d", "-s", "screen", "-x", str(width), "-y", str(height),
                   " ".join(command)])
        self.tmux(["set-option", "-t", "screen", "remain-on-exit", "on"])
        self.tmux(["set-option", "-t", "screen", "history-limit", "5000"])

    def tmux(self, args: list[str]) -> str:
        return subprocess.run(["tmux", "-L", self.socket, *args], check=True, capture_output=True,
                              text=True, timeout=30).stdout

    def screen(self) -> str:
        """Everything printed so far (scrollback and screen)."""
        return self.tmux(["capture-pane", "-p", "-J", "-t", "screen", "-S", "-5000"])

    def send(self, key: str) -> None:
        self.tmux(["send-keys", "-t", "screen", "-l", key])

    def wait_for(self, found: Callable[[str], bool], what: str, seconds: float = 60.0) -> str:
        """The screen once ``found`` holds on it; a clear failure after ``seconds`` (a guard against hangs)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            text = self.screen()
            if found(text):
                return text
            time.sleep(0.2)
        raise AssertionError(f"timed out waiting for {what}; screen:\n{self.screen()}")

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True, timeout=30)


@pytest.fixture
def terminal_db(tmp_path: Path) -> Path:
    tstore = triage_db(tmp_path, Criteria(outcome_keywords=("night waking",), population_keywords=("toddler",)),
                       PAPERS)
    tstore.close()
    return tmp_path / "triage.db"


def test_triage_next_pages_a_long_abstract_then_decides_and_undoes_in_a_terminal(terminal_db: Path) -> None:
    if not EXTRACTOR.exists():
        pytest.skip(f"{EXTRACTOR}: the extractor command is not installed next to this Python")
    # Pages well shorter than the screen: each one is seen whole on the screen beside the record's header.
    terminal = Terminal([str(EXTRACTOR), "triage", "next", "--db", str(terminal_db), "--who", "ana",
                         "--page-lines", "10"])
    try:
        first = terminal.wait_for(lambda text: "page 1 of" in text, "the first page of the long abstract")
        assert "Nurse visits for toddler night waking" in first
        assert "Paragraph 1:" in first and LAST_WORDS not in first  # a page, not the whole text at once
        pages = int(first.split("page 1 of ")[1].split(":")[0])
        assert pages >= 2
        for page in range(2, pages + 1):
            terminal.send("f" if page % 2 else " ")  # f and the space bar both turn the page
            terminal.wait_for(lambda text, page=page: f"page {page} of {pages}" in text, f"page {page}")
        whole = terminal.wait_for(lambda text: "end of abstract" in text, "the end of the abstract")
        # A page may end inside "Paragraph 28:": read the abstract's lines without the footers and key lines
        # between pages. Lines are wrapped to the terminal, and tmux may join a line that filled its last
        # column to the next without a space: compare the text with all white space taken out.
        between = ("... page", "(end of abstract", "include  exclude")
        text = "\n".join(line for line in whole.splitlines() if not line.lstrip().startswith(between))
        letters = "".join(text.split())
        for index in range(1, 31):  # every paragraph was shown, none cut
            assert f"Paragraph{index}:" in letters
        assert LAST_WORDS in whole

        terminal.send("i")
        terminal.wait_for(lambda text: "include papers/10.1000/long1" in text, "the decision")
        tstore = TriageStore(terminal_db)
        assert tstore.current_decisions() == {"papers/10.1000/long1": "include"}
        tstore.close()

        terminal.send("u")
        # the undo line comes first, then the record again and its keys: wait for the keys, so "q" is not
        # read while the record is still being drawn
        after = terminal.wait_for(lambda text: "undone: include papers/10.1000/long1" in text
                                  and "quit" in text.rsplit("undone: include", 1)[1], "the undo")
        # the record taken back is shown again, from its first page
        assert after.rsplit("undone: include", 1)[1].count("Nurse visits for toddler night waking") == 1
        terminal.send("q")
        terminal.wait_for(lambda text: "Pane is dead" in text or "exited" in text.lower()
                          or terminal.tmux(["display", "-p", "-t", "screen", "#{pane_dead}"]).strip() == "1",
                          "the command to quit")
    finally:
        terminal.close()
    tstore = TriageStore(terminal_db)
    assert tstore.current_decisions() == {}
    assert [d.decision for d in tstore.history("papers/10.1000/long1")] == ["include"]  # the row stays
    assert [(c["decision_before"], c["decision_after"]) for c in tstore.changes()] == [("include", "undone")]
    tstore.close()
