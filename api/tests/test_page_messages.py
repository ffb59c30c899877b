from django.contrib.messages import get_messages
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpResponse
from django.test import RequestFactory

from api.middleware import PageMessageMiddleware


def _through_middleware(path):
    seen = {}

    def view(request):
        seen["request"] = request
        return HttpResponse()

    stack = SessionMiddleware(PageMessageMiddleware(view))
    stack(RequestFactory().get(path))
    return seen["request"]


def test_api_requests_set_up_no_message_storage():
    assert not hasattr(_through_middleware("/api/users/me"), "_messages")


def test_pages_keep_their_flash_messages():
    request = _through_middleware("/")

    assert hasattr(request, "_messages")
    assert list(get_messages(request)) == []
