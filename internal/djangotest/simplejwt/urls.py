"""The simplejwt project's URLs: simplejwt's six views as its documentation
mounts them, and one view behind JWTAuthentication."""

from django.urls import path
from rest_framework_simplejwt import views as jwt_views

import views

urlpatterns = [
    path("api/token/", jwt_views.TokenObtainPairView.as_view()),
    path("api/token/refresh/", jwt_views.TokenRefreshView.as_view()),
    path("api/token/verify/", jwt_views.TokenVerifyView.as_view()),
    path("api/token/blacklist/", jwt_views.TokenBlacklistView.as_view()),
    path("api/token/sliding/", jwt_views.TokenObtainSlidingView.as_view()),
    path("api/token/sliding/refresh/", jwt_views.TokenRefreshSlidingView.as_view()),
    path("api/protected/", views.Protected.as_view()),
]
