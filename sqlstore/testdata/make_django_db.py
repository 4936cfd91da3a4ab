#!/usr/bin/python3
"""A Django database for the Go tests, made by Django itself.

Run with Debian's interpreter, which has python3-django,
python3-djangorestframework, python3-argon2 and python3-bcrypt:

    /usr/bin/python3 make_django_db.py create DB.sqlite3
        Creates a fresh SQLite database with Django's own `migrate`
        (auth, contenttypes, rest_framework.authtoken, and sessions:
        django_session, empty), users made by
        create_user with passwords hashed by each of Django's hashers that
        this Django has, an inactive user, a user without a usable password,
        a user whose pbkdf2_sha256 hash has fewer iterations than this
        Django's (as an older release wrote it), and DRF tokens in
        authtoken_token. Prints a JSON manifest of the users (their
        passwords included: test data) on stdout.

    /usr/bin/python3 make_django_db.py check DB.sqlite3 < {"USERNAME": "PASSWORD", ...}
        Asks Django whether each user logs in with the password given
        (authenticate(), which may re-hash it, as Django does); prints
        {"USERNAME": {"algorithm": ..., "must_update": ..., "last_login":
        ..., "authenticated": ...}, ...} as JSON: the algorithm of the
        stored hash, whether check_password would re-hash it (its
        must_update) and last_login as Django reads them before the check.
        Passwords come on stdin, not in argv, to stay out of the process
        list.
"""

import json
import os
import sys

import django
from django.conf import settings

# (algorithm, hasher class): Django's hashers in the order the Go tests
# expect. A hasher this Django lacks (scrypt before Django 4.0) is listed
# in the manifest's missing_hashers.
HASHERS = [
    ("pbkdf2_sha256", "PBKDF2PasswordHasher"),
    ("pbkdf2_sha1", "PBKDF2SHA1PasswordHasher"),
    ("argon2", "Argon2PasswordHasher"),
    ("bcrypt_sha256", "BCryptSHA256PasswordHasher"),
    ("bcrypt", "BCryptPasswordHasher"),
    ("scrypt", "ScryptPasswordHasher"),
]

# A password for each algorithm. bcrypt_sha256's is longer than bcrypt's
# 72-byte limit, which its SHA-256 pre-hash lifts; plain bcrypt's fits.
PASSWORDS = {
    "pbkdf2_sha256": "pbkdf2-sha256 password",
    "pbkdf2_sha1": "pbkdf2-sha1 password",
    "argon2": "argon2 password",
    "bcrypt_sha256": "bcrypt-sha256 password, longer than seventy-two bytes: " + "ä" * 40,
    "bcrypt": "bcrypt password",
    "scrypt": "scrypt password",
}

# WEAK is a user whose pbkdf2_sha256 hash has WEAK_ITERATIONS, fewer than
# any release's default since Django 2.1: Django re-hashes it at login.
WEAK = "pbkdf2_sha256_100000"
WEAK_ITERATIONS = 100000


def setup(path):
    from django.contrib.auth import hashers

    available = [(a, c) for a, c in HASHERS if hasattr(hashers, c)]
    settings.configure(
        SECRET_KEY="make_django_db: not a secret",
        INSTALLED_APPS=[
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "rest_framework",
            "rest_framework.authtoken",
            # Last, so that the content types and permissions of the apps
            # above keep their ids: django_session, for
            # internal/djangotest/sessions.py's logins.
            "django.contrib.sessions",
        ],
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": path}},
        USE_TZ=True,
        DEFAULT_AUTO_FIELD="django.db.models.AutoField",
        PASSWORD_HASHERS=["django.contrib.auth.hashers." + c for _, c in available],
    )
    django.setup()
    return available


def create(path):
    if os.path.exists(path):
        sys.exit("make_django_db: %s exists; the database must be fresh" % path)
    available = setup(path)
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test.utils import override_settings
    from rest_framework.authtoken.models import Token

    call_command("migrate", verbosity=0, interactive=False)
    User = get_user_model()
    manifest = {
        "django": django.get_version(),
        "missing_hashers": [a for a, c in HASHERS if (a, c) not in available],
        "users": [],
    }

    def add(user, password, token=False):
        key = Token.objects.create(user=user).key if token else None
        user.refresh_from_db()
        usable = user.has_usable_password()
        manifest["users"].append({
            "id": user.pk,
            "username": user.get_username(),
            "email": user.email,
            "password": password,
            "is_active": user.is_active,
            "algorithm": user.password.split("$", 1)[0] if usable else "!",
            "token": key,
        })

    for algorithm, cls in available:
        # create_user hashes with the first of PASSWORD_HASHERS.
        with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers." + cls]):
            password = PASSWORDS[algorithm]
            user = User.objects.create_user(algorithm, algorithm + "@example.com", password)
        if not user.password.startswith(algorithm + "$"):
            sys.exit("make_django_db: %s hashed as %s" % (algorithm, user.password.split("$", 1)[0]))
        add(user, password, token=(algorithm == "pbkdf2_sha256"))
    add(User.objects.create_user("inactive", "inactive@example.com", "inactive password", is_active=False),
        "inactive password", token=True)
    add(User.objects.create_user("nopassword", "nopassword@example.com", None), None, token=True)
    add(User.objects.create_user("jürgen", "", "pässwörd ✓"), "pässwörd ✓", token=True)
    # Last, so that the ids of the users above stay as they were.
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    weak = User.objects.create_user(WEAK, WEAK + "@example.com", None)
    hasher = PBKDF2PasswordHasher()
    weak.password = hasher.encode("weak pbkdf2 password", hasher.salt(), WEAK_ITERATIONS)
    weak.save(update_fields=["password"])
    add(weak, "weak pbkdf2 password")
    json.dump(manifest, sys.stdout, ensure_ascii=False, indent=1)
    print()


def check(path):
    setup(path)
    from django.contrib.auth import authenticate, get_user_model
    from django.contrib.auth.hashers import get_hasher, identify_hasher

    answers = {}
    for username, password in json.load(sys.stdin).items():
        user = get_user_model().objects.get_by_natural_key(username)
        must_update = False
        if user.has_usable_password():
            # check_password's rule: another hasher than the preferred one,
            # or the preferred one's must_update.
            preferred, hasher = get_hasher(), identify_hasher(user.password)
            must_update = hasher.algorithm != preferred.algorithm or preferred.must_update(user.password)
        answers[username] = {
            "algorithm": user.password.split("$", 1)[0],
            "must_update": must_update,
            "last_login": user.last_login.isoformat() if user.last_login else None,
            "authenticated": authenticate(username=username, password=password) is not None,
        }
    json.dump(answers, sys.stdout, ensure_ascii=False)
    print()


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "create":
        create(sys.argv[2])
    elif len(sys.argv) == 3 and sys.argv[1] == "check":
        check(sys.argv[2])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
