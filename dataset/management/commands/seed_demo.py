import io
import random

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand
from django.db import transaction
from PIL import Image, ImageDraw

from accounts.models import User
from accounts.services import follow_add, password_set, user_create
from media.services import media_create
from tweets.services import like_add, tweet_create

# Every demo user signs in to the web client at / with this password (scripts/serve prints it).
DEMO_PASSWORD = "chirp-demo-password"

# (username, name, api key): scripts and bots of the demo use the key `test`.
DEMO_USERS = [
    ("demo", "Demo User", "test"),
    ("ada", "Ada Lovelace", None),
    ("grace", "Grace Hopper", None),
    ("linus", "Linus Torvalds", None),
    ("margaret", "Margaret Hamilton", None),
]

DEMO_TWEETS = [
    ("ada", "The Analytical Engine weaves algebraic patterns just as the Jacquard loom weaves flowers."),
    ("grace", "It's easier to ask forgiveness than it is to get permission."),
    ("grace", "Found the first actual bug today. Taped it into the logbook."),
    ("linus", "Talk is cheap. Show me the code."),
    ("margaret", "Shipping the guidance software. Priority displays work as designed."),
    ("demo", "Hello Chirp! First post from the demo account."),
    ("ada", "Sketch of the engine, attached."),
    ("margaret", "Team photo from the launch review."),
]


def _demo_image(seed: int) -> SimpleUploadedFile:
    rng = random.Random(seed)
    image = Image.new("RGB", (640, 360), tuple(rng.randrange(40, 200) for _ in range(3)))
    draw = ImageDraw.Draw(image)
    for _ in range(12):
        x, y = rng.randrange(600), rng.randrange(320)
        draw.ellipse((x, y, x + 40, y + 40), fill=tuple(rng.randrange(256) for _ in range(3)))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return SimpleUploadedFile(f"demo-{seed}.png", buffer.getvalue(), content_type="image/png")


class Command(BaseCommand):
    help = (
        "Create a small demo data set (idempotent): users with a password (incl. api key `test`), "
        "follows, tweets, likes."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        users = {}
        for username, name, key in DEMO_USERS:
            user = User.objects.filter(username=username).first()
            if user is None:
                user, key = user_create(name=name, username=username, api_key=key, password=DEMO_PASSWORD)
                self.stdout.write(f"Created {name} (@{username}), api-key: {key}")
            elif not user.has_usable_password():
                # Demo users seeded before they had passwords get one.
                password_set(user=user, password=DEMO_PASSWORD)
            users[username] = user

        for follower in users.values():
            for followee in users.values():
                if follower != followee:
                    follow_add(follower=follower, followee_id=followee.pk)

        usernames = ", ".join(users)
        self.stdout.write(f"Demo users {usernames} sign in at / with the password: {DEMO_PASSWORD}")
        if users["demo"].tweets.exists() or any(u.tweets.exists() for u in users.values()):
            self.stdout.write("Demo tweets already exist; nothing more to do.")
            return
        names = list(users)
        for index, (username, text) in enumerate(DEMO_TWEETS):
            author = users[username]
            media_ids = []
            if "attached" in text or "photo" in text:
                media_ids = [media_create(uploader=author, upload=_demo_image(index)).pk]
            tweet = tweet_create(author=author, content=text, media_ids=media_ids)
            # A different number of likes per tweet, so the feed's popularity order shows.
            for liker in names[: (index * 3) % len(names)]:
                like_add(user=users[liker], tweet_id=tweet.pk)
        self.stdout.write(
            self.style.SUCCESS("Demo data ready. Try: curl -H 'api-key: test' localhost:8000/api/tweets")
        )
