"""The one view of the simplejwt project that is not simplejwt's own."""

from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView


class Protected(APIView):
    """Answers who the token's user is, so that a test can tell which user
    simplejwt's JWTAuthentication (REST_FRAMEWORK's default) loaded, not
    only that it let the request in."""

    permission_classes = [IsAuthenticated]

    def get(self, request):
        return Response({"user_id": request.user.pk, "username": request.user.get_username()})
