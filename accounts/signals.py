"""Signals accounts sends for higher apps that show account data they keep derived copies of."""

from django.dispatch import Signal

# Sent inside the transaction that changes a user's display name; kwargs: user_id.
user_renamed = Signal()
