from rest_framework import serializers


class UserRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ProfileSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    followers = UserRefSerializer(many=True)
    following = UserRefSerializer(many=True)


class ProfileEnvelopeSerializer(serializers.Serializer):
    result = serializers.BooleanField(default=True)
    user = ProfileSerializer()
