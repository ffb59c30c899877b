from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from api.schema import IDEMPOTENCY_KEY_PARAMETER, OkEnvelopeSerializer, error_responses
from api.serializers import KeysetQuerySerializer
from common.idempotency import HEADER, fingerprint, idempotency_key_check, idempotent
from tweets.search import search
from tweets.selectors import mention_suggestions, tag_tweets, tweet_detail, tweet_history, tweet_replies
from tweets.serializers import (
    HistorySerializer,
    SearchPageSerializer,
    SearchQuerySerializer,
    SuggestionsSerializer,
    SuggestQuerySerializer,
    TweetCreatedSerializer,
    TweetCreateSerializer,
    TweetEditSerializer,
    TweetEnvelopeSerializer,
    TweetPageSerializer,
)
from tweets.services import like_add, like_remove, tweet_create, tweet_delete, tweet_edit

_TWEET_EXAMPLE = {
    "id": 42,
    "content": "Thanks @grace! Notes for the #launch: https://wiki.example.com/launch",
    "attachments": ["/media/3f/3f2a9c_lobby.jpg"],
    "thumbnails": ["/media/3f/3f2a9c_lobby_thumb.jpg"],
    "attachments_alt": ["The lobby, with a green sofa"],
    "author": {"id": 1, "name": "Ada Lovelace"},
    "likes": [{"user_id": 2, "name": "Grace Hopper"}],
    "likes_count": 1,
    "created_at": "2026-12-07T09:30:00+00:00",
    "in_reply_to": 41,
    "replies_count": 2,
    "edited_at": "2026-12-07T09:32:10+00:00",
    "mentions": [{"id": 2, "name": "Grace Hopper", "username": "grace"}],
    "tags": ["launch"],
}
_PAGE_EXAMPLE = OpenApiExample(
    "A page", value={"result": True, "tweets": [_TWEET_EXAMPLE], "next_cursor": "42"}, response_only=True
)


def _page(request, selector, **kwargs) -> Response:
    query = KeysetQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    tweets, next_cursor = selector(**kwargs, **query.validated_data)
    return Response({"result": True, "tweets": tweets, "next_cursor": next_cursor})


class TweetCreateView(APIView):
    @extend_schema(
        summary="Post a tweet",
        description=(
            "Extensions: `in_reply_to` posts a reply to a tweet you can see (else 404); "
            "`tweet_media_alts` gives the images alt text (the web client shows it as the image's "
            "description)."
        ),
        request=TweetCreateSerializer,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={201: TweetCreatedSerializer, **error_responses(400, 404, 413, 415, 422)},
        examples=[
            OpenApiExample(
                "A tweet", value={"tweet_data": "Hello #launch", "tweet_media_ids": []}, request_only=True
            ),
            OpenApiExample(
                "A reply", value={"tweet_data": "Agreed, @ada!", "in_reply_to": 41}, request_only=True
            ),
            OpenApiExample(
                "Images with alt text",
                value={
                    "tweet_data": "The new office",
                    "tweet_media_ids": [7, 8],
                    "tweet_media_alts": ["The lobby, with a green sofa", ""],
                },
                request_only=True,
            ),
        ],
    )
    def post(self, request):
        key = idempotency_key_check(request.headers.get(HEADER))
        serializer = TweetCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        content = serializer.validated_data["tweet_data"]
        media_ids = serializer.validated_data["tweet_media_ids"]
        in_reply_to = serializer.validated_data["in_reply_to"]
        alts = serializer.validated_data["tweet_media_alts"]

        def create():
            tweet = tweet_create(
                author=request.user,
                content=content,
                media_ids=media_ids,
                in_reply_to=in_reply_to,
                media_alts=alts,
            )
            return status.HTTP_201_CREATED, {"result": True, "tweet_id": tweet.pk}

        code, answer = idempotent(
            user=request.user,
            scope="POST /api/tweets",
            key=key,
            digest=fingerprint(
                content, media_ids, *([in_reply_to] if in_reply_to else []), *([alts] if alts else [])
            ),
            create=create,
        )
        return Response(answer, status=code)


class TweetDetailView(APIView):
    @extend_schema(
        summary="One tweet",
        operation_id="tweets_detail",
        description=(
            "Extension. Unknown, deleted or hidden tweets are 404 (hidden: but to its author, staff)."
        ),
        responses={200: TweetEnvelopeSerializer, **error_responses(404)},
        examples=[
            OpenApiExample("A reply", value={"result": True, "tweet": _TWEET_EXAMPLE}, response_only=True)
        ],
    )
    def get(self, request, tweet_id: int):
        return Response({"result": True, "tweet": tweet_detail(viewer=request.user, tweet_id=tweet_id)})

    @extend_schema(
        summary="Edit your tweet",
        description=(
            "Extension: replaces the text of your own tweet (others': 403, staff's included; a hidden one: "
            "403); mentions and tags are read again, likes and replies stay, the earlier text goes to "
            "the history. Answers the edited tweet."
        ),
        request=TweetEditSerializer,
        responses={200: TweetEnvelopeSerializer, **error_responses(400, 404, 415)},
        examples=[
            OpenApiExample("New text", value={"tweet_data": "Fixed a typo #launch"}, request_only=True)
        ],
    )
    def patch(self, request, tweet_id: int):
        serializer = TweetEditSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        tweet_edit(user=request.user, tweet_id=tweet_id, content=serializer.validated_data["tweet_data"])
        return Response({"result": True, "tweet": tweet_detail(viewer=request.user, tweet_id=tweet_id)})

    @extend_schema(summary="Delete your tweet", responses={200: OkEnvelopeSerializer, **error_responses(404)})
    def delete(self, request, tweet_id: int):
        tweet_delete(user=request.user, tweet_id=tweet_id)
        return Response({"result": True})


class LikeView(APIView):
    @extend_schema(
        summary="Like a tweet (idempotent)",
        request=None,
        responses={200: OkEnvelopeSerializer, **error_responses(404)},
    )
    def post(self, request, tweet_id: int):
        like_add(user=request.user, tweet_id=tweet_id)
        return Response({"result": True})

    @extend_schema(
        summary="Remove your like (idempotent)", responses={200: OkEnvelopeSerializer, **error_responses(404)}
    )
    def delete(self, request, tweet_id: int):
        like_remove(user=request.user, tweet_id=tweet_id)
        return Response({"result": True})


class RepliesView(APIView):
    @extend_schema(
        summary="Replies to a tweet",
        description="Extension: the visible replies, oldest first, a page at a time (`cursor`, `limit`).",
        parameters=[KeysetQuerySerializer],
        responses={200: TweetPageSerializer, **error_responses(400, 404)},
        examples=[_PAGE_EXAMPLE],
    )
    def get(self, request, tweet_id: int):
        return _page(request, tweet_replies, viewer=request.user, tweet_id=tweet_id)


class HistoryView(APIView):
    @extend_schema(
        summary="Earlier texts of a tweet",
        description="Extension: each text an edit replaced, newest first, with the time of that edit.",
        responses={200: HistorySerializer, **error_responses(404)},
        examples=[
            OpenApiExample(
                "One edit",
                value={
                    "result": True,
                    "history": [{"content": "Fixd", "edited_at": "2026-12-07T09:32:10+00:00"}],
                },
                response_only=True,
            )
        ],
    )
    def get(self, request, tweet_id: int):
        return Response({"result": True, "history": tweet_history(viewer=request.user, tweet_id=tweet_id)})


class TagTweetsView(APIView):
    @extend_schema(
        summary="Tweets with a tag",
        description="Extension: the visible tweets with this #tag (any letter case), newest first.",
        parameters=[KeysetQuerySerializer],
        responses={200: TweetPageSerializer, **error_responses(400)},
        examples=[_PAGE_EXAMPLE],
    )
    def get(self, request, tag: str):
        return _page(request, tag_tweets, tag=tag)


class MentionSuggestionsView(APIView):
    @extend_schema(
        summary="People to mention",
        description=(
            "Extension: active users whose username starts with `q` or whose name contains it, any letter "
            "case (what compose suggests after `@`)."
        ),
        parameters=[SuggestQuerySerializer],
        responses={200: SuggestionsSerializer, **error_responses(400)},
        examples=[
            OpenApiExample(
                "After @gr",
                value={"result": True, "users": [{"id": 2, "name": "Grace Hopper", "username": "grace"}]},
                response_only=True,
            )
        ],
    )
    def get(self, request):
        query = SuggestQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return Response({"result": True, "users": mention_suggestions(query=query.validated_data["q"])})


class SearchView(APIView):
    @extend_schema(
        summary="Search posts, people or tags",
        description=(
            "Extension (docs/search.md). `type=tweets`: visible posts matching every word, "
            '"phrase", -exclusion, from:username, #tag and @username of `q`, ranked by relevance with '
            "recency; `type=users`: people whose name or username contains `q`; `type=tags`: tags "
            "starting with `q`, with their number of visible posts. An empty `q` finds nothing. "
            "503 when a search runs past its time limit."
        ),
        parameters=[SearchQuerySerializer],
        responses={200: SearchPageSerializer, **error_responses(400, 503)},
        examples=[
            OpenApiExample(
                "Posts",
                value={"result": True, "tweets": [_TWEET_EXAMPLE], "next_cursor": "42:10"},
                response_only=True,
            ),
            OpenApiExample(
                "People",
                value={
                    "result": True,
                    "users": [{"id": 2, "name": "Grace Hopper", "username": "grace"}],
                    "next_cursor": None,
                },
                response_only=True,
            ),
            OpenApiExample(
                "Tags",
                value={"result": True, "tags": [{"tag": "launch", "count": 12}], "next_cursor": None},
                response_only=True,
            ),
        ],
    )
    def get(self, request):
        query = SearchQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        page = search(
            viewer=request.user, text=data["q"], kind=data["type"], cursor=data["cursor"], limit=data["limit"]
        )
        return Response({"result": True, page.kind: page.items, "next_cursor": page.next_cursor})
