from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from api.schema import IDEMPOTENCY_KEY_PARAMETER, OkEnvelopeSerializer, error_responses
from common.idempotency import HEADER, fingerprint, idempotency_key_check, idempotent
from tweets.serializers import TweetCreatedSerializer, TweetCreateSerializer
from tweets.services import like_add, like_remove, tweet_create, tweet_delete


class TweetCreateView(APIView):
    @extend_schema(
        summary="Post a tweet",
        request=TweetCreateSerializer,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={201: TweetCreatedSerializer, **error_responses(400, 413, 415, 422)},
    )
    def post(self, request):
        key = idempotency_key_check(request.headers.get(HEADER))
        serializer = TweetCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        content = serializer.validated_data["tweet_data"]
        media_ids = serializer.validated_data["tweet_media_ids"]

        def create():
            tweet = tweet_create(author=request.user, content=content, media_ids=media_ids)
            return status.HTTP_201_CREATED, {"result": True, "tweet_id": tweet.pk}

        code, answer = idempotent(
            user=request.user,
            scope="POST /api/tweets",
            key=key,
            digest=fingerprint(content, media_ids),
            create=create,
        )
        return Response(answer, status=code)


class TweetDetailView(APIView):
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
