#!/usr/bin/python3
"""simplejwt's token blacklist, written and read by Django itself, for the Go
tests of sqlstore's Blacklist.

Run with Debian's interpreter, which has python3-django and
python3-djangorestframework-simplejwt:

    /usr/bin/python3 blacklist_django.py create DB.sqlite3
        Creates a fresh SQLite database with Django's own `migrate` (auth,
        contenttypes, rest_framework_simplejwt.token_blacklist) and a user,
        alice; issues two refresh tokens for her with RefreshToken.for_user
        (each an outstanding row) and blacklists the first with its
        blacklist(). Prints {"django", "simplejwt", "user_id",
        "blacklisted": TOKEN, "outstanding": TOKEN} as JSON, each TOKEN
        {"jti", "token", "exp"}.

    /usr/bin/python3 blacklist_django.py users DB.sqlite3
        Creates a fresh SQLite database as create does, with two users,
        alice and bob; issues alice two refresh tokens and a sliding token
        (SlidingToken.for_user), and blacklists her first refresh token,
        and bob one refresh token. Prints {"django", "simplejwt", "users":
        {"alice": ID, "bob": ID}, "tokens": {"alice-refresh",
        "alice-blacklisted", "alice-sliding", "bob-refresh": TOKEN}} as
        JSON.

    /usr/bin/python3 blacklist_django.py check DB.sqlite3 < {"JTI": TOKEN-OR-NULL, ...}
        Django's answers about each jti: whether check_blacklist's query
        finds it blacklisted, its outstanding row as the ORM reads it
        (user_id, created_at, expires_at, blacklisted_at in isoformat, or
        null), and, for a jti given with its encoded token, what
        RefreshToken(token) raises, or SlidingToken(token) for a sliding
        token ("" if nothing). Then runs
        flushexpiredtokens and lists the jtis whose rows remain. Prints
        {"tokens": {"JTI": {...}}, "after_flush": [...]} as JSON.
"""

import json
import os
import sys

import django
from django.conf import settings


def setup(path):
    settings.configure(
        SECRET_KEY="blacklist_django: not a secret, but long enough for HS256",
        INSTALLED_APPS=[
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "rest_framework_simplejwt.token_blacklist",
        ],
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": path}},
        USE_TZ=True,
        DEFAULT_AUTO_FIELD="django.db.models.AutoField",
    )
    django.setup()


def iso(dt):
    return dt.isoformat() if dt else None


def migrate(path):
    """Makes a fresh database at path; returns the versions, for the output."""
    if os.path.exists(path):
        sys.exit("blacklist_django: %s exists; the database must be fresh" % path)
    setup(path)
    import importlib.metadata

    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    return {
        "django": django.get_version(),
        "simplejwt": importlib.metadata.version("djangorestframework-simplejwt"),
    }


def token(t):
    return {"jti": t["jti"], "token": str(t), "exp": t["exp"]}


def create(path):
    versions = migrate(path)
    from django.contrib.auth import get_user_model
    from rest_framework_simplejwt.tokens import RefreshToken

    alice = get_user_model().objects.create_user("alice", "alice@example.com", None)
    tokens = {}
    for name in ("blacklisted", "outstanding"):
        t = RefreshToken.for_user(alice)
        tokens[name] = token(t)
        if name == "blacklisted":
            t.blacklist()
    json.dump({**versions, "user_id": alice.pk, **tokens}, sys.stdout)
    print()


def users(path):
    versions = migrate(path)
    from django.contrib.auth import get_user_model
    from rest_framework_simplejwt.tokens import RefreshToken, SlidingToken

    model = get_user_model()
    alice = model.objects.create_user("alice", "alice@example.com", None)
    bob = model.objects.create_user("bob", "bob@example.com", None)
    blacklisted = RefreshToken.for_user(alice)
    blacklisted.blacklist()
    tokens = {
        "alice-blacklisted": token(blacklisted),
        "alice-refresh": token(RefreshToken.for_user(alice)),
        "alice-sliding": token(SlidingToken.for_user(alice)),
        "bob-refresh": token(RefreshToken.for_user(bob)),
    }
    json.dump({**versions, "users": {"alice": alice.pk, "bob": bob.pk}, "tokens": tokens}, sys.stdout)
    print()


def check(path):
    setup(path)
    from django.core.management import call_command
    from rest_framework_simplejwt.exceptions import TokenError
    from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
    from rest_framework_simplejwt.settings import api_settings
    from rest_framework_simplejwt.tokens import RefreshToken, SlidingToken, UntypedToken

    answers = {}
    for jti, token in json.load(sys.stdin).items():
        row = OutstandingToken.objects.filter(jti=jti).first()
        bl = BlacklistedToken.objects.filter(token=row).first() if row else None
        refused = None
        if token is not None:
            try:
                cls = RefreshToken
                if UntypedToken(token).get(api_settings.TOKEN_TYPE_CLAIM) == SlidingToken.token_type:
                    cls = SlidingToken
                cls(token)  # verify(): check_blacklist, then the signature's claims
                refused = ""
            except TokenError as e:
                refused = str(e)
        answers[jti] = {
            # check_blacklist's own query.
            "blacklisted": BlacklistedToken.objects.filter(token__jti=jti).exists(),
            "found": row is not None,
            "user_id": row.user_id if row else None,
            "created_at": iso(row.created_at) if row else None,
            "expires_at": iso(row.expires_at) if row else None,
            "blacklisted_at": iso(bl.blacklisted_at) if bl else None,
            "refused": refused,
        }
    call_command("flushexpiredtokens", verbosity=0)
    json.dump({
        "tokens": answers,
        "after_flush": sorted(OutstandingToken.objects.values_list("jti", flat=True)),
    }, sys.stdout)
    print()


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "create":
        create(sys.argv[2])
    elif len(sys.argv) == 3 and sys.argv[1] == "users":
        users(sys.argv[2])
    elif len(sys.argv) == 3 and sys.argv[1] == "check":
        check(sys.argv[2])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
