import json

import pytest

from api.testing import assert_error, db_snapshot
from media.models import Media
from tweets.models import Attachment, Tweet


def post_tweet(owner, payload):
    # json.dumps escapes non-ASCII, so even a lone surrogate reaches the server as a client sends it.
    return owner.client().post("/api/tweets", json.dumps(payload), content_type="application/json")


def test_author_can_post_a_tweet(author):
    """POST /api/tweets answers 201 with the new tweet's id."""
    response = post_tweet(author, {"tweet_data": "Hello, Chirp"})

    assert response.status_code == 201
    tweet = Tweet.objects.get()
    assert response.json() == {"result": True, "tweet_id": tweet.id}
    assert (tweet.author_id, tweet.content, tweet.likes_count) == (author.id, "Hello, Chirp", 0)


def test_tweet_with_media_attaches_them_in_the_given_order(author, make_media):
    """Listed media are attached to the new tweet in the order of the ids."""
    first, second, third = make_media(author), make_media(author), make_media(author)

    response = post_tweet(
        author, {"tweet_data": "Pictures", "tweet_media_ids": [third.id, first.id, second.id]}
    )

    assert response.status_code == 201
    tweet_id = response.json()["tweet_id"]
    attached = list(
        Attachment.objects.filter(tweet_id=tweet_id).order_by("position").values_list("media_id", flat=True)
    )
    assert attached == [third.id, first.id, second.id]
    feed = author.client().get("/api/tweets").json()["tweets"]
    assert feed[0]["attachments"] == [Media.objects.get(pk=pk).file.url for pk in attached]


def test_images_get_their_alt_texts_in_order(author, make_media):
    """tweet_media_alts (extension) is stored per attachment in the order of the ids; fewer alts,
    or empty ones, leave the others without; surrounding spaces go."""
    first, second, third = make_media(author), make_media(author), make_media(author)
    response = post_tweet(
        author,
        {
            "tweet_data": "Office",
            "tweet_media_ids": [first.id, second.id, third.id],
            "tweet_media_alts": ["  The lobby  ", ""],
        },
    )
    assert response.status_code == 201
    alts = Attachment.objects.filter(tweet_id=response.json()["tweet_id"]).order_by("position")
    assert list(alts.values_list("alt", flat=True)) == ["The lobby", "", ""]


@pytest.mark.parametrize(
    "alts",
    [["a", "b"], ["x" * 1001], ["nul\x00"]],
    ids=["more-alts-than-images", "too-long", "nul"],
)
def test_bad_alt_texts_are_refused_and_nothing_is_created(author, make_media, alts):
    media = make_media(author)
    response = post_tweet(
        author, {"tweet_data": "x", "tweet_media_ids": [media.id], "tweet_media_alts": alts}
    )
    assert_error(response, 400, "validation_error")
    assert not Tweet.objects.exists()
    media.refresh_from_db()
    assert media.claimed_at is None


def test_old_clients_post_without_alts(author, make_media):
    """The contract's request, without the extension, works as before (no alt text)."""
    media = make_media(author)
    response = post_tweet(author, {"tweet_data": "x", "tweet_media_ids": [media.id]})
    assert response.status_code == 201 and Attachment.objects.get().alt == ""


@pytest.mark.parametrize("text", ["", "   \n\t"], ids=["empty", "blank"])
def test_tweet_with_only_media_may_have_blank_text(author, make_media, text):
    """Text may be blank when at least one image is attached."""
    media = make_media(author)

    response = post_tweet(author, {"tweet_data": text, "tweet_media_ids": [media.id]})

    assert response.status_code == 201
    assert Tweet.objects.get().content == text


def test_tweet_of_exactly_the_maximum_length_is_accepted(author, settings):
    """The length limit is inclusive."""
    settings.TWEET_MAX_LENGTH = 10

    assert post_tweet(author, {"tweet_data": "x" * 10}).status_code == 201


def test_tweet_may_have_the_maximum_number_of_media(author, make_media, settings):
    """TWEET_MAX_MEDIA images are accepted."""
    settings.TWEET_MAX_MEDIA = 2
    ids = [make_media(author).id for _ in range(2)]

    assert post_tweet(author, {"tweet_data": "two", "tweet_media_ids": ids}).status_code == 201


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param({}, id="nothing"),
        pytest.param({"tweet_media_ids": []}, id="no-text"),
        pytest.param({"tweet_data": ""}, id="empty-text"),
        pytest.param({"tweet_data": "   \n"}, id="blank-text"),
        pytest.param({"tweet_data": None}, id="null-text"),
        pytest.param({"tweet_data": 123}, id="number-text"),
        pytest.param({"tweet_data": ["hello"]}, id="list-text"),
        pytest.param({"tweet_data": True}, id="bool-text"),
        pytest.param({"tweet_data": "hi", "tweet_media_ids": "1"}, id="string-ids"),
        pytest.param({"tweet_data": "hi", "tweet_media_ids": ["1"]}, id="string-id-in-list"),
        pytest.param({"tweet_data": "hi", "tweet_media_ids": 1}, id="number-ids"),
        pytest.param({"tweet_data": "hi", "tweet_media_ids": [1.5]}, id="float-id"),
        pytest.param({"tweet_data": "hi", "tweet_media_ids": [True]}, id="bool-id"),
        pytest.param({"tweet_data": "hi", "tweet_media_ids": [0]}, id="zero-id"),
        pytest.param({"tweet_data": "hi", "tweet_media_ids": [-1]}, id="negative-id"),
        pytest.param({"tweet_data": "hi", "tweet_media_ids": [2**63]}, id="id-beyond-64-bits"),
        pytest.param({"tweet_data": "hi", "tweet_media_ids": None}, id="null-ids"),
        pytest.param({"tweet_data": "hi", "tweet_media_ids": {"id": 1}}, id="object-ids"),
        pytest.param({"tweet_data": "a\x00b"}, id="nul-character"),
        pytest.param({"tweet_data": "\ud800"}, id="lone-surrogate"),
    ],
)
def test_invalid_tweet_is_refused_and_nothing_is_created(author, payload):
    """Missing or blank text without media and values of the wrong type are a 400 envelope."""
    before = db_snapshot()

    assert_error(post_tweet(author, payload), 400, "validation_error")

    assert db_snapshot() == before


def test_too_long_tweet_is_refused(author, settings):
    """Text over TWEET_MAX_LENGTH is a 400 naming the limit, and nothing is created."""
    settings.TWEET_MAX_LENGTH = 10
    before = db_snapshot()

    body = assert_error(post_tweet(author, {"tweet_data": "x" * 11}), 400, "validation_error")

    assert "10" in body["error_message"]
    assert db_snapshot() == before


def test_tweet_with_too_many_media_is_refused(author, make_media, settings):
    """More than TWEET_MAX_MEDIA images is a 400 and attaches nothing."""
    settings.TWEET_MAX_MEDIA = 2
    ids = [make_media(author).id for _ in range(3)]
    before = db_snapshot()

    assert_error(post_tweet(author, {"tweet_data": "three", "tweet_media_ids": ids}), 400, "validation_error")

    assert db_snapshot() == before


def test_author_cannot_attach_someone_elses_media(author, outsider, make_media):
    """Media uploaded by another user cannot be attached; nothing is created."""
    mine, theirs = make_media(author), make_media(outsider)
    before = db_snapshot()

    response = post_tweet(author, {"tweet_data": "mine", "tweet_media_ids": [mine.id, theirs.id]})

    assert_error(response, 400, "validation_error")
    assert db_snapshot() == before


def test_unknown_media_cannot_be_attached(author, make_media):
    """A media id that does not exist is a 400; the valid one stays unattached."""
    mine = make_media(author)
    before = db_snapshot()

    response = post_tweet(author, {"tweet_data": "x", "tweet_media_ids": [mine.id, 999999]})

    assert_error(response, 400, "validation_error")
    assert db_snapshot() == before


def test_media_already_attached_cannot_be_attached_again(author, make_media, make_tweet):
    """An image belongs to one tweet only."""
    media = make_media(author)
    first = make_tweet(author, "first", media=[media])
    before = db_snapshot()

    response = post_tweet(author, {"tweet_data": "second", "tweet_media_ids": [media.id]})

    assert_error(response, 400, "validation_error")
    assert db_snapshot() == before
    assert Attachment.objects.get(media=media).tweet_id == first.id


def test_duplicate_media_ids_are_refused(author, make_media):
    """The same image listed twice is a 400, not a tweet with one image."""
    media = make_media(author)
    before = db_snapshot()

    response = post_tweet(author, {"tweet_data": "x", "tweet_media_ids": [media.id, media.id]})

    assert_error(response, 400, "validation_error")
    assert db_snapshot() == before
