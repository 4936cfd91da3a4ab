#!/usr/bin/python3
"""Django's own sessions, on the database make_django_db.py made, for the Go
tests of SessionAuthentication (internal/djangotest/sessions.go).

Run with Debian's interpreter, which has python3-django (3.2). Everything
comes on stdin as JSON, not in argv, to keep passwords out of the process
list; the answer is JSON on stdout:

    /usr/bin/python3 sessions.py login DB.sqlite3 < {"secret": SECRET_KEY,
            "engine": "db" | "signed_cookies",
            "users": [{"username": ..., "password": ...}, ...]}
        Logs each user in as a browser would, through Django's own
        django.contrib.auth.views.LoginView, with django.test.Client and
        enforce_csrf_checks=True, so that CsrfViewMiddleware checks the
        form as in production: GET /login/ (its form carries the masked
        token of {% csrf_token %}, and the response sets the csrftoken
        cookie), POST the username, password and csrfmiddlewaretoken (the
        login view authenticates with ModelBackend, calls login(), which
        cycles the session key and rotates the CSRF token, and redirects),
        then GET /csrf/, a view answering get_token(request): the masked
        token Django would put into the next form, for the rotated cookie.
        SESSION_ENGINE is django.contrib.sessions.backends.<engine>. Prints
        {"django": VERSION, "sessions": {"USERNAME": {"user_id": ...,
        "sessionid": ..., "csrftoken": ..., "csrf_token": ...}}}: the
        sessionid and csrftoken cookies as the client holds them after the
        login, and the masked token. A login Django refuses (wrong or
        unusable password, inactive user) exits non-zero and says so.

    /usr/bin/python3 sessions.py ops DB.sqlite3 < {"secret": SECRET_KEY,
            "ops": [{"op": ..., "username": ..., "password": ...,
                     "expire_date": ISO-8601 or null}, ...]}
        Performs each operation in order, each with Django's own API:
          set_password  user.set_password(password) and user.save(), as a
                        password change without update_session_auth_hash:
                        the user's sessions no longer match the hash;
          logout        for each database session of the user (found by
                        decoding every row of django_session with this
                        SECRET_KEY), django.contrib.auth.logout() on a
                        request of that session, as Client.logout does:
                        its flush() deletes the row;
          expire        for each database session of the user, its row's
                        expire_date set with the ORM to expire_date (an
                        aware ISO-8601 time), or by default one second
                        before now: Django then loads no session for it;
          deactivate    user.is_active = False and user.save().
        logout and expire fail when the user has no database session.
        Prints {"done": N} once all are done.

SECRET_KEY must be the one the sessions were made (and are read) with:
session_data and signed cookies are signed with it, and _auth_user_hash is
keyed with it.
"""

import json
import re
import sys
from datetime import datetime, timedelta

import django
from django.conf import settings

# Django's password hashers, as make_django_db.py lists them; the ones
# this Django lacks (scrypt before 4.0) are left out. pbkdf2_sha256 first,
# as in Django's default: a login re-hashes the others, as Django does.
HASHERS = [
    "PBKDF2PasswordHasher",
    "PBKDF2SHA1PasswordHasher",
    "Argon2PasswordHasher",
    "BCryptSHA256PasswordHasher",
    "BCryptPasswordHasher",
    "ScryptPasswordHasher",
]

# The login form; {% csrf_token %} is the hidden csrfmiddlewaretoken input.
LOGIN_TEMPLATE = '<form method="post">{% csrf_token %}{{ form.as_p }}</form>'

# The project's URLs, set by setup() once Django is ready (the views need
# the apps loaded); ROOT_URLCONF is this module.
urlpatterns = []


def setup(path, secret, engine="db"):
    from django.contrib.auth import hashers

    if engine not in ("db", "signed_cookies"):
        sys.exit("sessions.py: engine %r: want db or signed_cookies" % engine)
    settings.configure(
        SECRET_KEY=secret,
        DEBUG=False,
        ALLOWED_HOSTS=["testserver"],  # django.test.Client's host
        # make_django_db.py's apps; sessions for django_session.
        INSTALLED_APPS=[
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "django.contrib.sessions",
        ],
        MIDDLEWARE=[
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
        ],
        ROOT_URLCONF=__name__,
        TEMPLATES=[{
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "OPTIONS": {"loaders": [("django.template.loaders.locmem.Loader", {"registration/login.html": LOGIN_TEMPLATE})]},
        }],
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": path}},
        SESSION_ENGINE="django.contrib.sessions.backends." + engine,
        USE_TZ=True,
        DEFAULT_AUTO_FIELD="django.db.models.AutoField",
        PASSWORD_HASHERS=["django.contrib.auth.hashers." + c for c in HASHERS if hasattr(hashers, c)],
    )
    django.setup()

    from django.contrib.auth.views import LoginView
    from django.http import HttpResponse
    from django.middleware.csrf import get_token
    from django.urls import path as url

    def csrf(request):
        return HttpResponse(get_token(request), content_type="text/plain")

    urlpatterns[:] = [url("login/", LoginView.as_view()), url("csrf/", csrf)]


def login(path, spec):
    setup(path, spec["secret"], spec["engine"])
    from django.contrib.auth import SESSION_KEY
    from django.test import Client

    answer = {"django": django.get_version(), "sessions": {}}
    for user in spec["users"]:
        client = Client(enforce_csrf_checks=True)
        form = client.get("/login/")
        if form.status_code != 200:
            sys.exit("sessions.py: GET /login/: %d" % form.status_code)
        # The hidden input of {% csrf_token %}, read as a browser reads it.
        token = re.search(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"', form.content.decode())
        if not token:
            sys.exit("sessions.py: the login form has no csrfmiddlewaretoken")
        done = client.post("/login/", {
            "username": user["username"],
            "password": user["password"],
            "csrfmiddlewaretoken": token.group(1),
        })
        # The view redirects once it logged the user in; it answers the
        # form again, with its errors, when it refused.
        if done.status_code != 302:
            sys.exit("sessions.py: Django's LoginView did not log %r in (status %d)" % (user["username"], done.status_code))
        masked = client.get("/csrf/")
        if masked.status_code != 200:
            sys.exit("sessions.py: GET /csrf/: %d" % masked.status_code)
        answer["sessions"][user["username"]] = {
            "user_id": client.session[SESSION_KEY],
            "sessionid": client.cookies[settings.SESSION_COOKIE_NAME].value,
            "csrftoken": client.cookies[settings.CSRF_COOKIE_NAME].value,
            "csrf_token": masked.content.decode(),
        }
    json.dump(answer, sys.stdout, ensure_ascii=False)
    print()


def user_sessions(user):
    """The keys of the user's database sessions: Django's own decoding of
    each row (Session.get_decoded, with SECRET_KEY), as its admin reads
    them."""
    from django.contrib.auth import SESSION_KEY
    from django.contrib.sessions.models import Session

    keys = [s.session_key for s in Session.objects.all() if s.get_decoded().get(SESSION_KEY) == str(user.pk)]
    if not keys:
        sys.exit("sessions.py: %r has no database session" % user.get_username())
    return keys


def ops(path, spec):
    setup(path, spec["secret"])
    from django.contrib.auth import get_user, get_user_model, logout
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.http import HttpRequest
    from django.utils import timezone

    User = get_user_model()
    for op in spec["ops"]:
        user = User.objects.get_by_natural_key(op["username"])
        if op["op"] == "set_password":
            user.set_password(op["password"])
            user.save()
        elif op["op"] == "deactivate":
            user.is_active = False
            user.save()
        elif op["op"] == "logout":
            for key in user_sessions(user):
                request = HttpRequest()
                request.session = SessionStore(session_key=key)
                request.user = get_user(request)
                logout(request)
        elif op["op"] == "expire":
            when = op.get("expire_date")
            when = datetime.fromisoformat(when) if when else timezone.now() - timedelta(seconds=1)
            if timezone.is_naive(when):
                sys.exit("sessions.py: expire_date %r has no time zone" % op["expire_date"])
            Session.objects.filter(session_key__in=user_sessions(user)).update(expire_date=when)
        else:
            sys.exit("sessions.py: unknown op %r" % op["op"])
    json.dump({"done": len(spec["ops"])}, sys.stdout)
    print()


def main():
    if len(sys.argv) == 3 and sys.argv[1] in ("login", "ops"):
        spec = json.load(sys.stdin)
        (login if sys.argv[1] == "login" else ops)(sys.argv[2], spec)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
