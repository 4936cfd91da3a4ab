"""Settings of the simplejwt project, read from the environment only.

The Go tests (internal/djangotest/simplejwt.go) choose every setting through
these variables, so that one project serves every configuration they compare
with and nothing of the caller's own Django setup leaks in:

    DJANGO_SECRET_KEY        required: Django's SECRET_KEY, and so
                             simplejwt's SIGNING_KEY (its default).
    DJANGO_DB_SQLITE         path of a SQLite database, or
    DJANGO_DB_POSTGRES       postgres://user[:password]@host[:port]/name[?...]:
                             search_path=SCHEMA becomes the connection's
                             search_path; other query parameters (sslmode,
                             ...) are passed to libpq as they are.
                             Exactly one of the two.
    DJANGO_FAST_HASHER       "1": MD5PasswordHasher first, so that create_user
                             and logins cost microseconds; Django's own hashers
                             stay listed, so either mode still checks hashes
                             the other wrote.
    SIMPLE_JWT_ROTATE_REFRESH_TOKENS     "True" or "False" (default False)
    SIMPLE_JWT_BLACKLIST_AFTER_ROTATION  "True" or "False" (default False)
    SIMPLE_JWT_ACCESS_TOKEN_LIFETIME     seconds (default: simplejwt's, 300)
    SIMPLE_JWT_REFRESH_TOKEN_LIFETIME    seconds (default: simplejwt's, 1 day)
    SIMPLE_JWT_SLIDING_TOKEN_LIFETIME         seconds (default 300)
    SIMPLE_JWT_SLIDING_TOKEN_REFRESH_LIFETIME seconds (default 1 day)
    SIMPLE_JWT_AUTH_TOKEN_CLASSES        comma list of token classes the
                             authentication class accepts, tried in order;
                             a bare name (SlidingToken) means
                             rest_framework_simplejwt.tokens.<name>
                             (default: simplejwt's, AccessToken only).

A setting left unset is left out of SIMPLE_JWT, so that simplejwt's own
default applies, not a copy of it that could drift.
"""

import os
import sys
from datetime import timedelta
from urllib.parse import parse_qsl, unquote, urlsplit

from django.conf import global_settings


def _fail(message):
    sys.exit("simplejwt settings: " + message)


def _required(name):
    value = os.environ.get(name, "")
    if not value:
        _fail(name + " is not set")
    return value


def _bool(name):
    value = os.environ.get(name)
    if value is None or value == "":
        return None
    # Strict: a typo must not silently mean False.
    if value not in ("True", "False"):
        _fail('%s=%r: want "True" or "False"' % (name, value))
    return value == "True"


def _seconds(name):
    value = os.environ.get(name)
    if value is None or value == "":
        return None
    try:
        seconds = float(value)
    except ValueError:
        _fail("%s=%r: want a number of seconds" % (name, value))
    return timedelta(seconds=seconds)


def _postgres(dsn):
    url = urlsplit(dsn)
    if url.scheme not in ("postgres", "postgresql"):
        _fail("DJANGO_DB_POSTGRES: want a postgres:// URL")
    options = {}
    for key, value in parse_qsl(url.query, keep_blank_values=True):
        if key == "search_path":
            # Django has no setting of its own for the schema; libpq's
            # options parameter sets it for every connection Django opens,
            # migrate's included.
            options["options"] = "-c search_path=" + value
        else:
            options[key] = value
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(url.path.lstrip("/")),
        "USER": unquote(url.username or ""),
        "PASSWORD": unquote(url.password or ""),
        "HOST": url.hostname or "",
        "PORT": str(url.port or ""),
        "OPTIONS": options,
    }


def _database():
    sqlite = os.environ.get("DJANGO_DB_SQLITE", "")
    postgres = os.environ.get("DJANGO_DB_POSTGRES", "")
    if bool(sqlite) == bool(postgres):
        _fail("set exactly one of DJANGO_DB_SQLITE and DJANGO_DB_POSTGRES")
    if postgres:
        return _postgres(postgres)
    # A longer busy timeout than sqlite3's 5 s: concurrent logins each
    # insert an outstanding token, and SQLite takes one writer at a time.
    return {"ENGINE": "django.db.backends.sqlite3", "NAME": sqlite, "OPTIONS": {"timeout": 30}}


def _token_classes():
    value = os.environ.get("SIMPLE_JWT_AUTH_TOKEN_CLASSES", "")
    if not value:
        return None
    classes = []
    for name in value.split(","):
        name = name.strip()
        if not name:
            continue
        classes.append(name if "." in name else "rest_framework_simplejwt.tokens." + name)
    return tuple(classes)


SECRET_KEY = _required("DJANGO_SECRET_KEY")
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
USE_TZ = True
TIME_ZONE = "UTC"
USE_I18N = False
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt",
    "rest_framework_simplejwt.token_blacklist",
]
# CommonMiddleware for its Content-Length, without which Django's server
# closes every connection; its APPEND_SLASH redirects off, so that a wrong
# path answers 404, as simplejwt's views are not there, not 301.
MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]
APPEND_SLASH = False
ROOT_URLCONF = "urls"
DATABASES = {"default": _database()}

PASSWORD_HASHERS = list(global_settings.PASSWORD_HASHERS)
if os.environ.get("DJANGO_FAST_HASHER") == "1":
    PASSWORD_HASHERS.insert(0, "django.contrib.auth.hashers.MD5PasswordHasher")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ("rest_framework_simplejwt.authentication.JWTAuthentication",),
}

# DRF's default renderers, JSON and the browsable API, as a project has
# them (OPTIONS lists both); the browsable API's templates and static
# files are the apps'.
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True}]
STATIC_URL = "/static/"

SIMPLE_JWT = {}
for _key, _value in [
    ("ROTATE_REFRESH_TOKENS", _bool("SIMPLE_JWT_ROTATE_REFRESH_TOKENS")),
    ("BLACKLIST_AFTER_ROTATION", _bool("SIMPLE_JWT_BLACKLIST_AFTER_ROTATION")),
    ("ACCESS_TOKEN_LIFETIME", _seconds("SIMPLE_JWT_ACCESS_TOKEN_LIFETIME")),
    ("REFRESH_TOKEN_LIFETIME", _seconds("SIMPLE_JWT_REFRESH_TOKEN_LIFETIME")),
    ("SLIDING_TOKEN_LIFETIME", _seconds("SIMPLE_JWT_SLIDING_TOKEN_LIFETIME")),
    ("SLIDING_TOKEN_REFRESH_LIFETIME", _seconds("SIMPLE_JWT_SLIDING_TOKEN_REFRESH_LIFETIME")),
    ("AUTH_TOKEN_CLASSES", _token_classes()),
]:
    if _value is not None:
        SIMPLE_JWT[_key] = _value

# Errors to stderr, which the Go helper keeps as the server's log: with
# DEBUG off, Django would otherwise only mail a 500's traceback to ADMINS.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"stderr": {"class": "logging.StreamHandler", "stream": "ext://sys.stderr"}},
    "loggers": {"django.request": {"handlers": ["stderr"], "level": "ERROR", "propagate": False}},
}
