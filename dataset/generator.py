"""A synthetic data set in the importer's CSV format, deterministic for a seed.

Likes follow a Zipf-like law over tweets (the tweet of popularity rank r gets about A / r
likes, capped), so a few tweets carry thousands of likes, as on a real microblog, and the
feed has to serve those long likers lists. numpy keeps preset M (1,000,000 tweets,
5,000,000 likes) to seconds; the same seed gives the same bytes with the pinned numpy.
"""

import csv
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

# Fixed, so that the output does not depend on when it is generated.
START = datetime(2025, 1, 1, tzinfo=UTC)
SPAN_SECONDS = 365 * 24 * 3600
ZIPF_EXPONENT = 1.0
# Rows turned into Python objects at a time when writing.
CHUNK = 500_000


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FIRST_NAMES = _words(
    "Ada Alan Barbara Claude Dennis Edsger Frances Grace Guido Hedy Ken Katherine Linus "
    "Margaret Niklaus Radia Richard Shafi Sophie Tim John Donald Leslie Anita Jean Karen "
    "Lynn"
)
LAST_NAMES = _words(
    "Lovelace Turing Liskov Shannon Ritchie Dijkstra Allen Hopper Rossum Lamarr Thompson "
    "Johnson Torvalds Hamilton Wirth Perlman Stallman Goldwasser Wilson Berners-Lee Backus "
    "Knuth Lamport Borg Sammet Jones Conway"
)
WORDS = _words(
    "the a release deploy build test review merge bug fix feature team lunch coffee meeting "
    "design database query index cache latency throughput queue worker server client api "
    "today tomorrow finally again great thanks shipped broken flaky green red rollback "
    "customer launch demo roadmap sprint retro docs benchmark profile memory cpu network why "
    "how who what when, really! nice. ok? hello world"
)


@dataclass(frozen=True)
class Sizes:
    users: int
    follows_per_user: int
    tweets_per_user: int
    likes: int

    @property
    def follows(self) -> int:
        return self.users * self.follows_per_user

    @property
    def tweets(self) -> int:
        return self.users * self.tweets_per_user

    @property
    def like_cap(self) -> int:
        # At most half the users like one tweet, which keeps sampling them without repeats cheap.
        return max(1, self.users // 2)

    def check(self) -> None:
        """Raise ValueError when no data set of these sizes exists."""
        if self.users < 2:
            raise ValueError("At least 2 users are needed.")
        if not 0 <= self.follows_per_user < self.users:
            raise ValueError(f"follows per user must be between 0 and {self.users - 1}.")
        if self.tweets_per_user < 0 or self.likes < 0:
            raise ValueError("Sizes cannot be negative.")
        if self.likes > self.tweets * self.like_cap:
            raise ValueError(f"At most {self.tweets * self.like_cap} likes fit in {self.tweets} tweets.")


PRESETS = {
    "S": Sizes(users=1_000, follows_per_user=20, tweets_per_user=20, likes=100_000),
    "M": Sizes(users=10_000, follows_per_user=50, tweets_per_user=100, likes=5_000_000),
    "L": Sizes(users=100_000, follows_per_user=100, tweets_per_user=100, likes=50_000_000),
}


def sizes_for(preset: str, **overrides: int | None) -> Sizes:
    """A preset's sizes with any non-None override applied."""
    return replace(PRESETS[preset], **{k: v for k, v in overrides.items() if v is not None})


def api_key_for(*, seed: int, user_id: int) -> str:
    """The api key of a generated user: guessable on purpose, so a benchmark can speak as anyone."""
    return f"bench-{seed}-{user_id}"


def like_counts(sizes: Sizes) -> np.ndarray:
    """Likes of the tweet at each popularity rank: min(cap, floor(A / rank^s)), summing to `likes`."""
    ranks = np.arange(1, sizes.tweets + 1, dtype=np.float64) ** -ZIPF_EXPONENT
    cap = sizes.like_cap

    def total(a: float) -> int:
        return int(np.minimum(cap, np.floor(a * ranks)).sum())

    low, high = 0.0, float(cap) * sizes.tweets**ZIPF_EXPONENT
    for _ in range(100):  # bisection on A; the total is monotonic in it
        middle = (low + high) / 2
        low, high = (middle, high) if total(middle) <= sizes.likes else (low, middle)
    counts = np.minimum(cap, np.floor(low * ranks)).astype(np.int64)
    # The floor leaves a small remainder: one more like each for the most popular tweets with room.
    remainder = sizes.likes - int(counts.sum())
    room = np.flatnonzero(counts < cap)[:remainder]
    counts[room] += 1
    return counts


def _likes(rng: np.random.Generator, counts: np.ndarray, users: int) -> tuple[np.ndarray, np.ndarray]:
    """(user ids, tweet ids), 1-based, `counts[i]` likes for tweet i + 1, no user twice on a tweet.

    Each like is one int64 key, tweet * (users + 1) + user, sorted in place: at preset L (50,000,000
    likes) that is one 400 MB array instead of three arrays, an argsort index and their reordered
    copies. Equal keys are equal pairs, so sorting the keys orders the pairs exactly as an argsort
    of (tweet, user) would, and the output is the same bytes as before for a seed.
    """
    base = users + 1
    keys = np.repeat(np.arange(1, counts.size + 1, dtype=np.int64) * base, counts)
    keys += rng.integers(1, base, size=keys.size, dtype=np.int64)
    while True:
        # Sort by (tweet, user); a like equal to its predecessor is a repeat, drawn again.
        keys.sort()
        repeats = np.flatnonzero(keys[1:] == keys[:-1]) + 1
        if repeats.size == 0:
            tweets, likers = np.divmod(keys, base)
            return likers, tweets
        keys[repeats] -= keys[repeats] % base
        keys[repeats] += rng.integers(1, base, size=repeats.size, dtype=np.int64)


@dataclass
class Dataset:
    """The four tables as columns (ids are 1-based), ready to write."""

    seed: int
    names: list[str]
    follower: np.ndarray
    followee: np.ndarray
    author: np.ndarray
    content: list[str]
    created_at: np.ndarray  # seconds since START, ascending with the tweet id
    like_user: np.ndarray
    like_tweet: np.ndarray


def generate(sizes: Sizes, *, seed: int) -> Dataset:
    sizes.check()
    rng = np.random.default_rng(seed)
    user_ids = np.arange(1, sizes.users + 1, dtype=np.int64)

    first = rng.integers(0, len(FIRST_NAMES), size=sizes.users)
    last = rng.integers(0, len(LAST_NAMES), size=sizes.users)
    names = [f"{FIRST_NAMES[f]} {LAST_NAMES[g]}" for f, g in zip(first.tolist(), last.tolist(), strict=True)]

    # Each user follows distinct others: distinct offsets in 1..users-1 never land on oneself.
    offsets = np.empty((sizes.users, sizes.follows_per_user), dtype=np.int64)
    for row in range(sizes.users):
        offsets[row] = rng.choice(sizes.users - 1, size=sizes.follows_per_user, replace=False) + 1
    follower = np.repeat(user_ids, sizes.follows_per_user)
    followee = (follower - 1 + offsets.ravel()) % sizes.users + 1

    # Authors interleaved in time, as people post; ids ascend with time like an autoincrement.
    author = rng.permutation(np.repeat(user_ids, sizes.tweets_per_user))
    created_at = np.sort(rng.integers(0, SPAN_SECONDS, size=sizes.tweets, dtype=np.int64))
    phrases = [
        " ".join(WORDS[w] for w in rng.integers(0, len(WORDS), size=int(n)).tolist()).capitalize()
        for n in rng.integers(3, 25, size=min(sizes.tweets, 20_000)).tolist()
    ]
    content = (
        [phrases[p] for p in rng.integers(0, len(phrases), size=sizes.tweets).tolist()] if phrases else []
    )

    # Popularity ranks go to tweets at random; likers are drawn without repeats per tweet.
    counts = np.zeros(sizes.tweets, dtype=np.int64)
    counts[rng.permutation(sizes.tweets)] = like_counts(sizes)
    like_user, like_tweet = _likes(rng, counts, sizes.users)
    return Dataset(seed, names, follower, followee, author, content, created_at, like_user, like_tweet)


def _write_pairs(path: Path, header: str, left: np.ndarray, right: np.ndarray) -> None:
    with path.open("w", newline="") as out:
        out.write(header + "\n")
        # In chunks: Python lists of all 5,000,000 pairs at once would take hundreds of megabytes.
        for start in range(0, left.size, CHUNK):
            stop = start + CHUNK
            pairs = zip(left[start:stop].tolist(), right[start:stop].tolist(), strict=True)
            out.write("".join(f"{a},{b}\n" for a, b in pairs))


def write(dataset: Dataset, directory: Path, *, progress: Callable[[str], None] = lambda _: None) -> None:
    """Write users.csv, follows.csv, tweets.csv and likes.csv into `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / "users.csv").open("w", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["id", "name", "api_key"])
        writer.writerows(
            (i, name, api_key_for(seed=dataset.seed, user_id=i)) for i, name in enumerate(dataset.names, 1)
        )
    progress(f"users.csv: {len(dataset.names)} rows")
    _write_pairs(directory / "follows.csv", "follower_id,followee_id", dataset.follower, dataset.followee)
    progress(f"follows.csv: {dataset.follower.size} rows")
    # In chunks too: all 10,000,000 times of preset L as strings at once would take gigabytes.
    epoch = np.datetime64(START.replace(tzinfo=None), "s")
    with (directory / "tweets.csv").open("w", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["id", "author_id", "content", "created_at"])
        for start in range(0, dataset.author.size, CHUNK):
            stop = min(start + CHUNK, dataset.author.size)
            times = np.datetime_as_string(
                epoch + dataset.created_at[start:stop].astype("timedelta64[s]"), unit="s"
            )
            writer.writerows(
                (i, a, c, f"{t}Z")
                for i, a, c, t in zip(
                    range(start + 1, stop + 1),
                    dataset.author[start:stop].tolist(),
                    dataset.content[start:stop],
                    times.tolist(),
                    strict=True,
                )
            )
    progress(f"tweets.csv: {dataset.author.size} rows")
    _write_pairs(directory / "likes.csv", "user_id,tweet_id", dataset.like_user, dataset.like_tweet)
    progress(f"likes.csv: {dataset.like_user.size} rows")
