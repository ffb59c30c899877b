"""The keys and indexes of the rows a post with mentions and tags writes (issue 20): Mention and
TweetTag keyed by their pairs, without a surrogate id, and the creation times that are read only by
range indexed by BRIN on PostgreSQL. Every index is one more entry written on each post."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from accounts.models import User
from notifications.models import Notification
from tweets.models import Mention, Tweet, TweetTag

pytestmark = pytest.mark.django_db


def _schema(model) -> tuple[set[str], dict]:
    table = model._meta.db_table
    with connection.cursor() as cursor:
        columns = {column.name for column in connection.introspection.get_table_description(cursor, table)}
        return columns, connection.introspection.get_constraints(cursor, table)


def _indexes(constraints: dict) -> dict[str, list[str]]:
    """{index name or "primary key": columns} of every index, the key's included (its uniqueness:
    test_the_pair_is_unique)."""
    return {
        "primary key" if info["primary_key"] else name: info["columns"]
        for name, info in constraints.items()
        if info["index"] or info["primary_key"] or info["unique"]
    }


@pytest.mark.parametrize(
    ("model", "key", "others"),
    [
        (Mention, ["tweet_id", "user_id"], {"mention_user_idx": ["user_id", "tweet_id"]}),
        (
            TweetTag,
            ["tweet_id", "tag"],
            {
                "tweet_tag_idx": ["tag", "tweet_id"],
                "tweet_tag_recent_idx": ["created_at"],
            },
        ),
    ],
)
def test_entity_rows_are_keyed_by_their_pair_with_no_other_index_than_their_reads(model, key, others):
    columns, constraints = _schema(model)

    assert "id" not in columns
    indexes = _indexes(constraints)
    if connection.vendor != "postgresql":
        # SQLite's introspection lists a key's columns in the table's order, not the key's.
        indexes["primary key"] = sorted(indexes["primary key"], key=key.index)
    assert indexes == {"primary key": key, **others}


def test_creation_times_read_by_range_are_brin_indexes_on_postgresql():
    expected = "brin" if connection.vendor == "postgresql" else "idx"
    for model, name in ((TweetTag, "tweet_tag_recent_idx"), (Notification, "notification_created_idx")):
        assert _schema(model)[1][name]["type"] == expected


def test_the_pair_is_unique():
    author = User.objects.create(username="ada", name="Ada")
    tweet = Tweet.objects.create(author=author, content="@ada #a")
    Mention.objects.create(tweet=tweet, user=author)
    TweetTag.objects.create(tweet=tweet, tag="a", created_at=tweet.created_at)

    with pytest.raises(IntegrityError), transaction.atomic():
        Mention.objects.create(tweet=tweet, user=author)
    with pytest.raises(IntegrityError), transaction.atomic():
        TweetTag.objects.create(tweet=tweet, tag="a", created_at=tweet.created_at)


BEFORE = [("tweets", "0012_top_score")]
AFTER = [("tweets", "0013_mention_and_tag_keyed_by_pair")]


def _migrate(targets):
    MigrationExecutor(connection).migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_the_rows_both_ways():
    """Rows written under the id keys survive the move to pair keys, and back (ids given anew)."""
    old = _migrate(BEFORE)
    OldUser, OldTweet = old.get_model("accounts", "User"), old.get_model("tweets", "Tweet")
    author = OldUser.objects.create(username="old", name="Old Timer")
    tweet = OldTweet.objects.create(author=author, content="@old #one #two")
    old.get_model("tweets", "Mention").objects.create(tweet=tweet, user=author)
    for tag in ("one", "two"):
        old.get_model("tweets", "TweetTag").objects.create(tweet=tweet, tag=tag, created_at=tweet.created_at)
    try:
        new = _migrate(AFTER)
        assert list(new.get_model("tweets", "Mention").objects.values_list("tweet_id", "user_id")) == [
            (tweet.pk, author.pk)
        ]
        tags = new.get_model("tweets", "TweetTag").objects.order_by("tag").values_list("tweet_id", "tag")
        assert list(tags) == [(tweet.pk, "one"), (tweet.pk, "two")]

        back = _migrate(BEFORE)
        BackTag = back.get_model("tweets", "TweetTag")
        assert sorted(BackTag.objects.values_list("tag", flat=True)) == ["one", "two"]
        assert BackTag.objects.values("id").distinct().count() == 2
        assert back.get_model("tweets", "Mention").objects.get().user_id == author.pk
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
