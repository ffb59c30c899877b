"""The README is what a newcomer reads in five minutes; the rest lives in docs/, which it links."""

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
README = (REPO / "README.md").read_text()
# At about 250 words a minute.
FIVE_MINUTES_OF_WORDS = 1250


def test_the_readme_reads_in_five_minutes():
    assert len(README.split()) <= FIVE_MINUTES_OF_WORDS


def test_the_readme_says_what_chirp_is_its_two_commands_and_its_architecture_in_that_order():
    headings = re.findall(r"^## (.+)$", README, flags=re.MULTILINE)

    assert README.startswith("# Chirp\n\nChirp is ")
    assert headings.index("Two commands") < headings.index("Architecture") < headings.index("Documentation")


def test_every_page_the_readme_links_in_docs_exists_and_the_figures_live_there():
    """Performance history is in docs/performance.md, not in the README."""
    linked = re.findall(r"\]\((docs/[^)#]+)", README)

    assert {"docs/configuration.md", "docs/deployment.md", "docs/operations.md"} <= set(linked)
    assert {"docs/performance.md", "docs/reliability.md"} <= set(linked)
    assert [path for path in linked if not (REPO / path).exists()] == []
    assert "req/s" not in README and "| scenario |" not in README
