from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from moderation.services import moderator_add, moderator_remove


class Command(BaseCommand):
    help = "Make a user a moderator: staff (admin login) and member of the Moderators group."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--remove", action="store_true", help="Take the moderator rights away instead.")

    def handle(self, *args, username: str, remove: bool, **options):
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist as exc:
            raise CommandError(f"No user @{username}.") from exc
        if remove:
            moderator_remove(user=user)
            self.stdout.write(f"@{username} is no longer a moderator.")
        else:
            moderator_add(user=user)
            self.stdout.write(
                f"@{username} is now a moderator. They log into /admin/ with their password "
                "(set one with `manage.py changepassword` if they have none)."
            )
