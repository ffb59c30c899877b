from tweets.selectors import likers_preview


def test_likers_preview_names_each_tweets_first_likers_in_like_order_in_one_query(
    author, make_user, make_tweet, django_assert_num_queries
):
    """The first `count` likers' names per tweet, oldest like first; none for a tweet without likes."""
    likers = [make_user(f"Liker {n}") for n in range(7)]
    # Liked by the newest users first, so like order is not user order.
    popular = make_tweet(author, "popular", likers=likers[::-1])
    quiet = make_tweet(author, "quiet", likers=likers[5:6])
    unliked = make_tweet(author, "unliked")
    # One query: the likes ranked per tweet, cut at `count`, joined to their names.
    with django_assert_num_queries(1):
        preview = likers_preview(tweet_ids=[popular.pk, quiet.pk, unliked.pk], count=5)
    assert preview == {
        popular.pk: [f"Liker {n}" for n in (6, 5, 4, 3, 2)],
        quiet.pk: ["Liker 5"],
        unliked.pk: [],
    }
