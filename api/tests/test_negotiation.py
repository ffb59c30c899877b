import pytest
from rest_framework.exceptions import NotAcceptable
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BrowsableAPIRenderer
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from api.negotiation import ContentNegotiation
from api.renderers import JSONRenderer

ACCEPT_HEADERS = [
    None,
    "*/*",
    "application/json",
    "application/*",
    "application/json; indent=4",
    "text/html, application/json;q=0.9",
    "text/html",
]


def _choice(negotiation, accept, query="", renderers=None):
    headers = {"HTTP_ACCEPT": accept} if accept is not None else {}
    request = Request(APIRequestFactory().get(f"/api/users/me{query}", **headers))
    try:
        renderer, media_type = negotiation.select_renderer(request, renderers or [JSONRenderer()])
    except NotAcceptable:
        return "406"
    except Exception as exc:  # the two must fail alike too
        return type(exc).__name__
    return type(renderer), media_type


@pytest.mark.parametrize("query", ["", "?format=json", "?format=api"])
@pytest.mark.parametrize("accept", ACCEPT_HEADERS)
def test_the_shortcut_chooses_exactly_what_drf_chooses(accept, query):
    assert _choice(ContentNegotiation(), accept, query) == _choice(DefaultContentNegotiation(), accept, query)


@pytest.mark.parametrize("accept", ACCEPT_HEADERS)
def test_views_with_several_renderers_negotiate_as_drf_does(accept):
    renderers = [JSONRenderer(), BrowsableAPIRenderer()]
    assert _choice(ContentNegotiation(), accept, renderers=renderers) == _choice(
        DefaultContentNegotiation(), accept, renderers=renderers
    )


def test_a_client_that_accepts_only_html_is_told_406_in_the_envelope(author):
    response = author.client().get("/api/users/me", HTTP_ACCEPT="text/html")

    assert response.status_code == 406
    assert response.json()["result"] is False
