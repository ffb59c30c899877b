from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.selectors import user_get, user_profile
from accounts.serializers import ProfileEnvelopeSerializer
from accounts.services import follow_add, follow_remove
from api.schema import OkEnvelopeSerializer, error_responses


class UserMeView(APIView):
    @extend_schema(
        summary="Your own profile", responses={200: ProfileEnvelopeSerializer, **error_responses()}
    )
    def get(self, request):
        return Response({"result": True, "user": user_profile(user=request.user)})


class UserDetailView(APIView):
    @extend_schema(
        summary="A user's profile", responses={200: ProfileEnvelopeSerializer, **error_responses(404)}
    )
    def get(self, request, user_id: int):
        return Response({"result": True, "user": user_profile(user=user_get(user_id=user_id))})


class FollowView(APIView):
    @extend_schema(
        summary="Follow a user (idempotent)",
        request=None,
        responses={200: OkEnvelopeSerializer, **error_responses(400, 404)},
    )
    def post(self, request, user_id: int):
        follow_add(follower=request.user, followee_id=user_id)
        return Response({"result": True})

    @extend_schema(
        summary="Unfollow a user (idempotent)", responses={200: OkEnvelopeSerializer, **error_responses(404)}
    )
    def delete(self, request, user_id: int):
        follow_remove(follower=request.user, followee_id=user_id)
        return Response({"result": True})
