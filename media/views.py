import mimetypes
import posixpath

from django.conf import settings
from django.views.static import serve
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.selectors import user_profile
from accounts.serializers import ProfileEnvelopeSerializer
from accounts.throttling import upload_throttle_check
from api.schema import IDEMPOTENCY_KEY_PARAMETER, error_responses
from common.idempotency import HEADER, fingerprint, fingerprint_file, idempotency_key_check, idempotent
from media.selectors import media_urls
from media.serializers import MediaCreatedSerializer, MediaCreateSerializer, MediaUploadSerializer
from media.services import avatar_remove, avatar_set, media_create
from media.uploadhandlers import UploadSizeLimitHandler


class MediaUploadView(APIView):
    parser_classes = [MultiPartParser]

    def initialize_request(self, request, *args, **kwargs):
        # Here, before anything has read the body, is the last moment upload handlers can change.
        request.upload_handlers.insert(0, UploadSizeLimitHandler(request))
        return super().initialize_request(request, *args, **kwargs)

    @extend_schema(
        summary="Upload an image",
        description=(
            "Multipart: one image in field `file` (the contract), and optionally its alt text in field "
            "`alt` (extension)."
        ),
        request={"multipart/form-data": MediaCreateSerializer},
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={201: MediaCreatedSerializer, **error_responses(400, 413, 415, 422, 429, 503)},
    )
    def post(self, request):
        # Before the body is read: a refused upload costs no parsing.
        upload_throttle_check(user_id=request.user.pk)
        key = idempotency_key_check(request.headers.get(HEADER))
        serializer = MediaCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload, alt = serializer.validated_data["file"], serializer.validated_data["alt"]

        def create():
            media = media_create(uploader=request.user, upload=upload, alt=alt)
            return status.HTTP_201_CREATED, {"result": True, "media_id": media.pk, **media_urls(media=media)}

        digest = ""
        if key is not None:
            # The alt text is part of the request: the same key with another text is a conflict.
            digest = fingerprint(fingerprint_file(upload), alt) if alt else fingerprint_file(upload)
        code, answer = idempotent(
            user=request.user, scope="POST /api/medias", key=key, digest=digest, create=create
        )
        return Response(answer, status=code)


def serve_media(request, path: str):
    """Serve stored media (local storage without a front server) with its real type and nosniff."""
    response = serve(request, path, document_root=str(settings.MEDIA_ROOT))
    content_type, _ = mimetypes.guess_type(posixpath.basename(path))
    response["Content-Type"] = content_type or "application/octet-stream"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


class AvatarView(MediaUploadView):
    """The user's avatar photo: uploaded like any image (MediaUploadView's parser and size limit)."""

    @extend_schema(
        summary="Upload your avatar photo",
        description=(
            "Multipart, one image in field `file` (JPEG, PNG, GIF or WebP, the limits of POST /api/medias). "
            "It is cropped to a centred square and stored in 48, 96 and 256 pixels; your profile's "
            "`avatar` then points at the 96-pixel one. Not an image: 400; another file type: 415."
        ),
        request={"multipart/form-data": MediaUploadSerializer},
        responses={200: ProfileEnvelopeSerializer, **error_responses(400, 413, 415, 429, 503)},
    )
    def post(self, request):
        upload_throttle_check(user_id=request.user.pk)
        serializer = MediaUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        avatar_set(user=request.user, upload=serializer.validated_data["file"])
        return Response({"result": True, "user": user_profile(user=request.user)})

    @extend_schema(
        summary="Remove your avatar photo",
        description="Your profile's `avatar` is the generated image of your initials again.",
        request=None,
        responses={200: ProfileEnvelopeSerializer, **error_responses()},
    )
    def delete(self, request):
        avatar_remove(user=request.user)
        return Response({"result": True, "user": user_profile(user=request.user)})
