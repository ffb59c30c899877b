import csv
import hashlib
import io
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from dataset import generator
from dataset.generator import PRESETS, Sizes, like_counts

FILES = ("users.csv", "follows.csv", "tweets.csv", "likes.csv")
SMALL = ["--users", "60", "--follows-per-user", "5", "--tweets-per-user", "4", "--likes", "500"]


def generate(directory: Path, *args: str) -> dict[str, list[dict[str, str]]]:
    call_command("generate_dataset", str(directory), *args, stdout=io.StringIO())
    rows = {}
    for name in FILES:
        with (directory / name).open(newline="") as f:
            rows[name] = list(csv.DictReader(f))
    return rows


def test_same_seed_writes_the_same_bytes(tmp_path):
    """Two runs with one seed produce byte-identical files."""
    generate(tmp_path / "a", *SMALL, "--seed", "7")
    generate(tmp_path / "b", *SMALL, "--seed", "7")
    for name in FILES:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_different_seeds_write_different_data(tmp_path):
    """Another seed gives other follows, tweets and likes."""
    generate(tmp_path / "a", *SMALL, "--seed", "1")
    generate(tmp_path / "b", *SMALL, "--seed", "2")
    for name in FILES:
        assert (tmp_path / "a" / name).read_bytes() != (tmp_path / "b" / name).read_bytes(), name


def test_preset_s_has_exact_sizes_and_valid_rows(tmp_path):
    """Preset S: 1,000 users, 20 follows and 20 tweets each, 100,000 likes, all consistent."""
    rows = generate(tmp_path, "--preset", "S", "--seed", "3")
    users = rows["users.csv"]
    assert [int(u["id"]) for u in users] == list(range(1, 1001))
    assert users[41]["api_key"] == "bench-3-42"
    assert all(u["name"].strip() for u in users)

    follows = [(int(f["follower_id"]), int(f["followee_id"])) for f in rows["follows.csv"]]
    assert len(follows) == len(set(follows)) == 20_000
    assert all(a != b and 1 <= b <= 1000 for a, b in follows)
    assert set(Counter(a for a, _ in follows).values()) == {20}

    tweets = rows["tweets.csv"]
    assert [int(t["id"]) for t in tweets] == list(range(1, 20_001))
    assert set(Counter(t["author_id"] for t in tweets).values()) == {20}
    assert all(0 < len(t["content"]) <= 280 for t in tweets)
    times = [t["created_at"] for t in tweets]
    assert times == sorted(times) and times[0].startswith("2025-") and times[0].endswith("Z")

    likes = [(int(x["user_id"]), int(x["tweet_id"])) for x in rows["likes.csv"]]
    assert len(likes) == len(set(likes)) == 100_000
    assert all(1 <= u <= 1000 and 1 <= t <= 20_000 for u, t in likes)


def test_preset_m_sizes_add_up_with_a_few_tweets_liked_by_thousands():
    """Preset M: 10,000 users, 500,000 follows, 1,000,000 tweets, 5,000,000 likes, Zipf-like."""
    m = PRESETS["M"]
    assert (m.users, m.follows, m.tweets, m.likes) == (10_000, 500_000, 1_000_000, 5_000_000)
    counts = like_counts(m)
    assert counts.size == m.tweets and counts.sum() == m.likes
    assert counts.max() <= m.like_cap
    thousands = int((counts >= 1000).sum())
    assert 10 <= thousands <= m.tweets // 1000  # a few hundred of a million
    assert np.all(np.diff(counts) <= 0)  # by popularity rank


def test_preset_l_has_the_issue_sizes():
    """Preset L: 100,000 users, 100 follows and 100 tweets each, 50,000,000 likes (not generated here)."""
    large = PRESETS["L"]
    assert (large.users, large.follows_per_user, large.tweets_per_user) == (100_000, 100, 100)
    assert (large.follows, large.tweets, large.likes) == (10_000_000, 10_000_000, 50_000_000)
    large.check()  # the likes fit: at most half the users on each tweet
    assert large.like_cap == 50_000


# SHA-256 of preset S, seed 1, as generated before the likes were sorted as one key array and
# tweets.csv written in chunks (for preset L): those changes must not move a byte (pinned numpy).
PRESET_S_SEED_1 = {
    "users.csv": "b018912e1714914ebb0b79110e34f4f985683877426a7f69f84e97e6eb503d38",
    "follows.csv": "5861a9f4897d62b1dbe2a42661020a4a6210b8f0e16713f94f348e8cb8f7fec4",
    "tweets.csv": "a33c9edb17164939d90d758a8a8d5e9ce02e7e5da1362b21dd6f319c7685a7eb",
    "likes.csv": "bf9442232bb00d11cc23fd4c724142c47bf5d188eb726d40b44b89ef10e30474",
}


def test_preset_s_seed_1_is_still_the_same_bytes(tmp_path):
    """Generating for scale kept the small presets' output: preset S, seed 1, byte for byte."""
    generate(tmp_path, "--preset", "S", "--seed", "1")
    for name, digest in PRESET_S_SEED_1.items():
        assert hashlib.sha256((tmp_path / name).read_bytes()).hexdigest() == digest, name


def test_tweets_written_in_chunks_are_the_rows_written_at_once(tmp_path, monkeypatch):
    """A chunk size that cuts the tweets anywhere changes no byte of any file."""
    generate(tmp_path / "whole", *SMALL, "--seed", "4")
    monkeypatch.setattr(generator, "CHUNK", 7)
    generate(tmp_path / "chunked", *SMALL, "--seed", "4")
    for name in FILES:
        assert (tmp_path / "whole" / name).read_bytes() == (tmp_path / "chunked" / name).read_bytes(), name


def test_likes_per_tweet_follow_the_computed_law(tmp_path):
    """The likes file gives each tweet a count from like_counts, the most popular at the cap."""
    rows = generate(tmp_path, *SMALL)
    per_tweet = sorted(Counter(x["tweet_id"] for x in rows["likes.csv"]).values(), reverse=True)
    expected = like_counts(Sizes(users=60, follows_per_user=5, tweets_per_user=4, likes=500))
    assert per_tweet == [c for c in expected.tolist() if c]
    assert per_tweet[0] == 30


@pytest.mark.parametrize(
    "args",
    [["--users", "1"], ["--users", "10", "--follows-per-user", "10"], ["--users", "4", "--likes", "10**9"]],
)
def test_impossible_sizes_are_refused(tmp_path, args):
    """Sizes that no data set can have stop the command with a message, writing nothing."""
    args = [a.replace("10**9", str(10**9)) for a in args]
    with pytest.raises(CommandError):
        generate(tmp_path / "out", "--preset", "S", *args)
    assert not (tmp_path / "out").exists()
