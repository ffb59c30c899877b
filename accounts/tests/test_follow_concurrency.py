"""Races between real concurrent follow requests, each thread on its own PostgreSQL connection."""

from accounts.models import Follow
from api.testing import concurrent_db, request_status, run_together

pytestmark = concurrent_db


def test_simultaneous_follows_create_one_follow(author, outsider):
    """The same follow sent from six connections at once: one row, and every request succeeds."""
    statuses = run_together([request_status(outsider, "post", f"/api/users/{author.id}/follow")] * 6)

    assert statuses == [200] * 6
    assert list(Follow.objects.values_list("follower_id", "followee_id")) == [(outsider.id, author.id)]


def test_simultaneous_follow_and_unfollow_leave_a_consistent_state(author, follower):
    """Racing unfollows and follows end with either one follow or none, never an error."""
    path = f"/api/users/{author.id}/follow"
    calls = [request_status(follower, method, path) for method in ("delete", "post") * 3]

    assert run_together(calls) == [200] * 6
    assert Follow.objects.filter(follower=follower.user, followee=author.user).count() in (0, 1)
