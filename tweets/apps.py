from django.apps import AppConfig


class TweetsConfig(AppConfig):
    name = "tweets"

    def ready(self) -> None:
        from accounts.signals import user_renamed
        from tweets.services import likers_forget_user

        def liker_renamed(sender, *, user_id: int, **kwargs) -> None:
            # Same transaction as the rename: the cached likers lists that show the old name go stale.
            likers_forget_user(user_id=user_id)

        user_renamed.connect(liker_renamed, weak=False, dispatch_uid="tweets.liker_renamed")
