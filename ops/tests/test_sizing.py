"""docs/performance.md's sizing follows from the benchmark run it cites, for the web client's mix."""

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SIZING = (REPO / "docs/performance.md").read_text().split("## Sizing", 1)[1].split("\n## ", 1)[0]
# A day in the web client, per active employee (the doc's assumptions): the 40 feed pages and the
# 10 profile pages counted as web home pages, the heaviest page measured.
WEB_DAY = {"web home page": 50, "like/unlike": 10, "post a tweet": 2}


def measured_rates() -> dict[str, float]:
    cited = re.search(r"From the full run `(bench/results/[^`]+)`", SIZING)
    assert cited, "the sizing names the run it comes from"
    rates = {}
    for line in (REPO / cited[1]).read_text().splitlines():
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if len(cells) >= 2 and re.fullmatch(r"[\d.]+", cells[1]):
            rates[cells[0].split(" (")[0].split(" ?")[0]] = float(cells[1])
    return rates


def test_the_sizing_is_for_the_web_clients_mix_of_the_cited_run():
    """Employees use the web client, whose home page costs ~6x the API's first page: size for it."""
    rates = measured_rates()
    requests = sum(WEB_DAY.values())
    capacity = requests / sum(count / rates[name] for name, count in WEB_DAY.items())

    assert f"about **{capacity:.0f} requests/s of the web mix below**" in SIZING
    assert f"({capacity / 2:.0f} requests/s per 2-vCPU web node)" in SIZING


def test_each_row_has_the_peak_rate_of_its_employees_and_enough_web_nodes():
    """Peak: 70 % active, 62 requests each, 15 % in the busiest hour, bursts twice that; nodes at 50 %."""
    rates = measured_rates()
    node = sum(WEB_DAY.values()) / sum(count / rates[name] for name, count in WEB_DAY.items()) / 2
    rows = re.findall(r"^\| ([\d,]+) \| (\d+) \| ([^|]+) \|", SIZING, re.M)
    assert len(rows) == 3
    for employees, peak, web in rows:
        expected = int(employees.replace(",", "")) * 0.7 * 62 * 0.15 / 3600 * 2
        assert int(peak) == round(expected)
        nodes = re.match(r"(\d+|two) web nodes of 2 vCPUs", web)
        if nodes:
            count = 2 if nodes[1] == "two" else int(nodes[1])
            assert count * node >= expected
        else:
            assert expected <= node, "one 2-vCPU machine is enough only below its planned rate"
