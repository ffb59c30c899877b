from django.core.files.uploadedfile import SimpleUploadedFile

from media.models import Media


def test_attachment_url_serves_the_image_with_nosniff(author, image_content):
    """The URL in `attachments` loads as-is: the stored image, its real type and nosniff."""
    content = image_content("PNG", size=(33, 44))
    upload = SimpleUploadedFile("photo.png", content, content_type="image/png")
    media_id = author.client().post("/api/medias", {"file": upload}, format="multipart").json()["media_id"]
    tweet = author.client().post(
        "/api/tweets", {"tweet_data": "", "tweet_media_ids": [media_id]}, format="json"
    )
    assert tweet.status_code == 201
    (url,) = author.client().get("/api/tweets").json()["tweets"][0]["attachments"]

    assert url.startswith("/media/")
    response = author.client().get(url)
    # Reading the whole stream lets the test client close the file (closing it by hand would also
    # close the test's database connection).
    assert response.status_code == 200
    stored = Media.objects.get(pk=media_id)
    assert url == stored.file.url
    with stored.file.open("rb") as file:
        assert response.getvalue() == file.read()
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
