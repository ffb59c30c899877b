"""Body limits at the web client's doors: refused before sessions, CSRF or the view read anything.

ops/tests/test_slow_clients.py checks the same over HTTP against gunicorn as shipped.
"""

import os

from django.core.files.uploadedfile import SimpleUploadedFile

from media.models import Media
from tweets.models import Tweet


def test_a_form_posted_to_sign_in_larger_than_a_form_is_refused_with_a_page(client, settings):
    """No page but compose takes a file: a multipart sign-in over the form limit is a 413 page."""
    response = client.post(
        "/sign-in/", {"login": "someone", "password": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)}
    )

    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/html")
    assert "The request body is too large" in response.content.decode()


def test_an_image_over_the_upload_limit_on_compose_is_refused_while_it_streams(signed_in, author, settings):
    """A file inside the body's allowance but over MEDIA_MAX_UPLOAD_BYTES is stopped: 413, nothing saved."""
    settings.MEDIA_MAX_UPLOAD_BYTES = 20_000
    # Past the limit, within the 64 KiB allowance for the form around it.
    image = SimpleUploadedFile("big.png", os.urandom(30_000), content_type="image/png")

    response = signed_in(author).post("/compose/", {"text": "too big", "images": [image]})

    assert response.status_code == 413
    assert "This image is too big" in response.content.decode()
    assert not Tweet.objects.exists() and not Media.objects.exists()
