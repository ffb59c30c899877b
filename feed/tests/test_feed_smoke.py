from tweets.services import tweet_create


def test_follower_sees_the_authors_tweet_in_their_feed(author, follower):
    """The contract's demo flow: a followed user's tweet appears in the follower's feed."""
    tweet = tweet_create(author=author.user, content="hello", media_ids=[])

    response = follower.client().get("/api/tweets")

    assert response.status_code == 200
    assert response.json() == {
        "result": True,
        "tweets": [
            {
                "id": tweet.id,
                "content": "hello",
                "attachments": [],
                "thumbnails": [],
                "author": {"id": author.id, "name": "Ada Author"},
                "likes": [],
                "likes_count": 0,
                "created_at": tweet.created_at.isoformat(),
            }
        ],
    }
