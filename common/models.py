from django.conf import settings
from django.db import models
from django.utils import timezone


class IdempotencyKey(models.Model):
    """The first answer to a request that carried an `Idempotency-Key`, replayed for its repeats.

    The unique constraint decides between concurrent duplicates: the second INSERT waits for the
    first transaction and then fails, so only one of them creates anything.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    # What the key was used for ("POST /api/tweets"): one key may serve each kind of request once.
    scope = models.CharField(max_length=40)
    key = models.CharField(max_length=255)
    # SHA-256 of the request's content: the same key with another body is refused.
    fingerprint = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField(default=0)
    response = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "scope", "key"], name="idempotency_key_once")]

    def __str__(self) -> str:
        return f"{self.scope} {self.key!r} by {self.user_id}"
