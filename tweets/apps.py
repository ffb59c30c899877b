from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _search_index_check(sender, *, using: str, plan=None, **kwargs) -> None:
    """Put back what a later migration dropped of the search index (a SQLite table rebuild drops
    the table's triggers); nothing when all is there. Only once tweets.0009 has run."""
    from django.db import connections
    from django.db.migrations.recorder import MigrationRecorder

    from tweets import search_index

    connection = connections[using]
    if MigrationRecorder(connection).migration_qs.filter(app="tweets", name="0009_search_index").exists():
        search_index.install(connection, fill=True)


class TweetsConfig(AppConfig):
    name = "tweets"

    def ready(self) -> None:
        from accounts.signals import user_renamed
        from tweets.services import likers_forget_user

        def liker_renamed(sender, *, user_id: int, **kwargs) -> None:
            # Same transaction as the rename: the cached likers lists that show the old name go stale.
            likers_forget_user(user_id=user_id)

        user_renamed.connect(liker_renamed, weak=False, dispatch_uid="tweets.liker_renamed")
        post_migrate.connect(_search_index_check, sender=self, dispatch_uid="tweets.search_index_check")
