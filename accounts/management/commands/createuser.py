from django.core.management.base import BaseCommand, CommandError

from accounts.services import user_create
from common.errors import ChirpError


class Command(BaseCommand):
    help = "Create a user with an api key and print the key (it is shown only this once)."

    def add_arguments(self, parser):
        parser.add_argument("name", help="Display name, e.g. 'Ada Lovelace'.")
        parser.add_argument("--username", help="Login name (default: derived from the name).")
        parser.add_argument("--email", default="")
        parser.add_argument("--password", help="Password for JWT/admin login (default: none).")
        parser.add_argument("--api-key", dest="api_key", help="Use this key instead of a random one.")
        parser.add_argument("--staff", action="store_true", help="Allow the admin site.")

    def handle(self, *args, **options):
        try:
            user, key = user_create(
                name=options["name"],
                username=options["username"],
                email=options["email"],
                password=options["password"],
                api_key=options["api_key"],
                is_staff=options["staff"],
            )
        except ChirpError as exc:
            # The service's own refusal, per field when one is to blame ("name: ...").
            fields = "; ".join(f"{field}: {' '.join(texts)}" for field, texts in (exc.fields or {}).items())
            raise CommandError(fields or exc.message) from exc
        except Exception as exc:  # e.g. a username or key that is already taken
            raise CommandError(f"Could not create the user: {exc}") from exc
        self.stdout.write(f"Created user {user.id} @{user.username} ({user.name}).")
        self.stdout.write(f"api-key: {key}")
