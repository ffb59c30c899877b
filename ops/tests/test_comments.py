"""Comments and docstrings in product code say why, never how fast something was on one day."""

import ast
import io
import re
import tokenize
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
# Not product code: the tests, migrations, and the benchmark's and fault tests' own tools.
NOT_PRODUCT = {".venv", "tests", "migrations", "bench", "faults", "scripts", "node_modules"}
# A measurement: "4 %", "0.8 ms", "300 req/s", "took a third", "cost twice", "seen: 7/7/2".
FIGURE = re.compile(
    r"\b\d+(\.\d+)?\s?(%|ms|µs|us|req/s|x faster|times faster)(?![\w/])"
    r"|\b(took|cost|costs) (a third|a quarter|half|twice|ten times)\b"
    r"|\bseen: \d"
)


def comments_and_docstrings(source: str) -> list[tuple[int, str]]:
    texts = [
        (token.start[0], token.string)
        for token in tokenize.generate_tokens(io.StringIO(source).readline)
        if token.type == tokenize.COMMENT
    ]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            docstring = ast.get_docstring(node, clean=False)
            if docstring:
                texts.append((getattr(node, "lineno", 1), docstring))
    return texts


def test_the_pattern_finds_the_figures_a_comment_must_not_carry():
    for text in ("# about 4 % faster", "# 0.8 ms a page", "# took a third of the time", "# seen: 7/7/2"):
        assert FIGURE.search(text), text


def test_no_comment_or_docstring_in_product_code_quotes_a_measurement():
    found = [
        f"{path.relative_to(REPO)}:{line}: {match.group(0)!r}"
        for path in sorted(REPO.rglob("*.py"))
        if not NOT_PRODUCT & set(path.relative_to(REPO).parts)
        for line, text in comments_and_docstrings(path.read_text())
        for match in FIGURE.finditer(text)
    ]

    assert found == []
