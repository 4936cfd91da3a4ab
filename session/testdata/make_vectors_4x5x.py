#!/usr/bin/python3
"""Test vectors of Django 4.x and 5.x's session and CSRF formats, made by
that Django's own code, for the Go session package's tests.

    PYTHONPATH=/tmp/django-<tag> /usr/bin/python3 session/testdata/make_vectors_4x5x.py <tag>

writes session/testdata/django-<tag>.json (beside this script). <tag> is
the Django release, e.g. 4.2.28: the script refuses to run when the Django
it imports is another one. It needs no database and no network. Debian
12's python3-asgiref (3.6.0) and python3-sqlparse (0.4.2) are enough for
what it imports of Django 4.2 and 5.2 (django.setup() and the modules
below), although 5.2 asks for asgiref 3.8.1 when installed with pip.

How the committed files were made (2026-12-03, Debian 12's /usr/bin/python3,
Python 3.11.2):

    django-4.2.28.json: Django's 4.2.28 release tarball, as Debian ships it
        unmodified as the upstream source of python-django 3:4.2.28-0+deb13u2
        (python-django_4.2.28.orig.tar.gz, sha256
        a4b9cd881991add394cafa8bb3b11ad1742d1e1470ba99c3ef53dc540316ccfe),
        extracted to /tmp/django-4.2.28 (Debian's patches not applied):
        PYTHONPATH=/tmp/django-4.2.28 /usr/bin/python3 session/testdata/make_vectors_4x5x.py 4.2.28
    django-5.2.18.json: Django 5.2.18 as Debian's python3-django
        3:5.2.18-2 (sid) installs it (python3-django_5.2.18-2_all.deb, sha256
        6c8eb4bebb9408f7b6578be3ebbb2600d4675e752ca163e99c28f79948ba44dd;
        its upstream tarball was not to be had), its django/ directory
        copied to /tmp/django-5.2.18:
        PYTHONPATH=/tmp/django-5.2.18 /usr/bin/python3 session/testdata/make_vectors_4x5x.py 5.2.18

Both came from Debian's archive with its own client (apt-get source
--download-only python-django=3:4.2.28-0+deb13u2, apt-get download
python3-django=3:5.2.18-2, under an APT configuration of their own that
lists trixie and sid), unpacked with tar and dpkg-deb -x, nothing
installed: the newest 4.2.x (trixie) and 5.x (sid) releases there. The
commits of the tags 4.2.28 and 5.2.18 of django/django could not be read
here (the repository's snapshot is larger than the search tool's fetch
takes), so each file records instead the SHA-256 of every Django source
file whose code made its vectors ("sources"), against which a checkout of
the tag can be compared. 4.2.28's tree is the release's own. 5.2.18's has
Debian's patches applied: 4.2's series patches docs/conf.py, GeoIP's
default path, the project template's shebang, utils/version.py and tests,
and 5.2's changelog adds only upstream cherry-picks for Python 3.15
(inspect, management commands), gettext 0.26 and PostgreSQL 18's schema
editor: none of the files in "sources".

What the vectors come from, each Django's own code:
  - session_data: django.contrib.sessions.backends.db.SessionStore().encode
    (signing.dumps with the salt "django.contrib.sessions.SessionStore",
    JSONSerializer, compress=True), and SessionStore().decode checks each
    one back under the vector's SECRET_KEY and SECRET_KEY_FALLBACKS;
  - signed_cookie: the sessionid cookie of
    django.contrib.sessions.backends.signed_cookies, SessionStore.save()'s
    session_key (signing.dumps with the salt
    "django.contrib.sessions.backends.signed_cookies"), checked back with
    its load();
  - session_data_refused: data SessionStore().decode refuses ({}): a
    signature by a key that is neither SECRET_KEY nor a fallback, a
    tampered payload, Django 3.2's legacy SHA-1 signature (made with
    signing's own TimestampSigner(algorithm="sha1")) and the pre-3.1
    format (base64 of "<sha1 hexdigest>:<json>", made with Django's
    salted_hmac), both of which 4.0 dropped;
  - signed_cookie_refused: sessionid cookies the signed_cookies engine's
    load() refuses ({}): one signed longer ago than SESSION_COOKIE_AGE, one
    signed with an unknown key;
  - auth_user_hash: AbstractBaseUser.get_session_auth_hash() of a user
    whose password column holds the input, and each of
    get_session_auth_fallback_hash() under SECRET_KEY_FALLBACKS;
  - csrf_mask: django.middleware.csrf._mask_cipher_secret(secret) with the
    mask given (its random mask replaced by the input's), checked back with
    _unmask_cipher_token;
  - csrf_cookie: what CsrfViewMiddleware stores in the csrftoken cookie
    (4.1+: the unmasked 32-character secret) and the masked token
    get_token() hands a form, for a request without the cookie, with a
    secret cookie, and with a masked 64-character cookie as Django before
    4.1 stored it (4.1+ reads it and stores its secret instead);
  - csrf_check: CsrfViewMiddleware's verdict on a request, as DRF's
    SessionAuthentication takes it (rest_framework.authentication.CSRFCheck
    is CsrfViewMiddleware with _reject returning the reason; DRF answers 403
    "CSRF Failed: " + reason). Over plain HTTP, without Origin.

Randomness is fixed for the files to be reproducible: signing's clock is
the vector's "timestamp" (time.time() in django.core.signing), and the
random strings of django.middleware.csrf come from random.Random(SEED).

The file's shape:

  {"django": "4.2.28", "generated_by": "session/testdata/make_vectors_4x5x.py",
   "python": "3.11.2", "sources": {"django/core/signing.py": SHA256, ...},
   "settings": {"SESSION_COOKIE_AGE": 1209600, ...},
   "vectors": [VECTOR, ...]}

Every VECTOR has these keys (null where they do not apply):

  kind       one of the kinds above
  django     the Django version, as at the top
  secret     SECRET_KEY when Django made or checked the output
  fallbacks  SECRET_KEY_FALLBACKS then (a list, maybe empty)
  salt       the key salt of the signature or HMAC: "django.contrib.sessions.SessionStore",
             "django.contrib.sessions.backends.signed_cookies",
             "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash";
             null for the CSRF kinds, which have none
  input      what Django was given (below, by kind)
  output     what Django made (below, by kind)
  name       what the vector shows, in words

and, by kind:

  session_data, signed_cookie
    input:  {"session": the session dict, "timestamp": signing's clock, an
            integer of Unix seconds}
    output: the session_data column (or sessionid cookie) text
    signed_with: the key that signed it: secret, or one of fallbacks
    compressed:  whether Django compressed the JSON (the "." prefix)
    json:        the JSON Django signed (its JSONSerializer: compact,
                 ASCII-only, as json.dumps(..., separators=(",", ":")))
  session_data_refused
    input:  {"session_data": text}
    output: {}, what decode() returns for it (the session is empty)
    reason: why Django refuses it
  signed_cookie_refused
    input:  {"cookie": the sessionid cookie, "now": signing's clock when
            Django loaded it, Unix seconds}
    output: {}, what load() returns for it
    reason: why Django refuses it
  auth_user_hash
    input:  {"password": the encoded password column}
    output: the _auth_user_hash hex digest
    signed_with: secret (get_session_auth_hash) or the fallback it was
                 made with (get_session_auth_fallback_hash); Django accepts
                 either, and on a fallback's match cycles the session key
                 and stores the secret's hash
  csrf_mask
    input:  {"secret": 32 characters, "mask": 32 characters}
    output: the 64-character masked token
  csrf_cookie
    input:  {"cookie": the csrftoken cookie sent, or null}
    output: {"cookie": the csrftoken cookie Django sets, or null when it
            sets none, "token": get_token()'s masked token,
            "secret": the secret both carry}
  csrf_check
    input:  {"method", "cookie": csrftoken or null, "form": the
            csrfmiddlewaretoken field or null, "header": X-CSRFToken or null}
    output: {"accepted": bool, "reason": CsrfViewMiddleware's reason or null}
"""

import hashlib
import json
import os
import platform
import random
import sys

import django
from django.conf import settings

# The keys: Django's startproject form (50 characters), one current and
# two retired into SECRET_KEY_FALLBACKS, newest first; UNKNOWN signs what
# no setting here accepts.
SECRET = "django-insecure-vectors-current-k3y-0123456789abcdef"
FALLBACKS = [
    "django-insecure-vectors-retired-1-0123456789abcdefgh",
    "django-insecure-vectors-retired-2-0123456789abcdefgh",
]
UNKNOWN = "django-insecure-vectors-unknown-k3y-0123456789abcde"

# Signing's clock: 2026-01-01T00:00:00Z, and one a year before.
TIMESTAMP = 1767225600
OLD_TIMESTAMP = 1735689600
SEED = 20261203

SESSION_SALT = "django.contrib.sessions.SessionStore"
COOKIE_SALT = "django.contrib.sessions.backends.signed_cookies"
HASH_SALT = "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash"

BACKEND = "django.contrib.auth.backends.ModelBackend"

# The files whose code makes the vectors, for "sources".
SOURCES = [
    "django/__init__.py",
    "django/core/signing.py",
    "django/utils/crypto.py",
    "django/contrib/sessions/backends/base.py",
    "django/contrib/sessions/backends/db.py",
    "django/contrib/sessions/backends/signed_cookies.py",
    "django/contrib/sessions/serializers.py",
    "django/contrib/auth/__init__.py",
    "django/contrib/auth/base_user.py",
    "django/middleware/csrf.py",
    "django/conf/global_settings.py",
]

# Encoded passwords as auth_user.password holds them: the first made by
# main() with this Django's make_password (its default pbkdf2_sha256
# iterations, a fixed salt); then the forms of Django's other hashers (fixed
# text: only the column's text goes into the HMAC, nothing is verified), an
# unusable password, an empty one and non-ASCII text.
PASSWORD = "correct horse battery staple"
PASSWORD_SALT = "vectorsSalt0123456789a"
PASSWORDS = [
    None,
    "pbkdf2_sha256$870000$c2FsdHNhbHRzYWx0$7vG4dXq0lZ9mN2bR8sT1uY6wE3iO5pA7cV9xK2jH4fQ=",
    "argon2$argon2id$v=19$m=102400,t=2,p=8$c29tZXNhbHQ$YmFzZTY0ZGlnZXN0b2Z0aGlydHl0d29ieXRlcw",
    "bcrypt_sha256$$2b$12$abcdefghijklmnopqrstuuQ7.9Qk3lWkq1p6bYp5Qp9bJ0sJ5r3mK",
    "scrypt$16384$c2FsdA$8$1$ZGlnZXN0",
    "!uJ7dQk2ZxP1vN8mR4sT6yW0eC3bH5gL9aF2oI7nK",
    "",
    "pässwörd-like text ✓",
]


def session(user_id, **extra):
    """A session as django.contrib.auth.login() leaves it (for a user whose
    password column is PASSWORDS[0]), plus extra keys."""
    from django.contrib.auth.models import User

    d = {
        "_auth_user_id": user_id,
        "_auth_user_backend": BACKEND,
        "_auth_user_hash": User(password=PASSWORDS[0]).get_session_auth_hash(),
    }
    d.update(extra)
    return d


def sessions():
    """The session dicts of the session_data vectors, by name."""
    return [
        ("empty session", {}),
        ("a short dict: compression does not pay, no '.'", {"n": 1}),
        ("login() of user 1", session("1")),
        ("login() of a UUID primary key", session("5b0e6a1c-9f3d-4c2e-8a71-0d2f6e4b9c13")),
        ("login(), then the CSRF secret in the session (CSRF_USE_SESSIONS) and an expiry",
         session("42", _csrftoken="p5R0rQbKoFj9ZgW1hX2yV3uT4sS5aA6b", _session_expiry=3600)),
        ("non-ASCII and nested values: JSON escapes them \\uXXXX",
         session("7", cart={"items": ["café", "naïve ✓", "日本"], "total": 12.5, "gift": True, "note": None})),
        ("a long, repetitive session: compressed", session("3", history=["/articles/%d/" % (i % 7) for i in range(60)])),
        ("no _auth_user_hash (a session Django's get_user flushes)", {"_auth_user_id": "1", "_auth_user_backend": BACKEND}),
    ]


def setup():
    settings.configure(
        SECRET_KEY=SECRET,
        SECRET_KEY_FALLBACKS=list(FALLBACKS),
        INSTALLED_APPS=[
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "django.contrib.sessions",
        ],
        DATABASES={},
        USE_TZ=True,
        ALLOWED_HOSTS=["testserver"],
        DEFAULT_AUTO_FIELD="django.db.models.AutoField",
    )
    django.setup()


class Clock:
    """Stands for the time module in django.core.signing: its clock."""

    def __init__(self, now):
        self.now = now

    def time(self):
        return float(self.now)


def vector(kind, name, salt, input, output, secret=SECRET, fallbacks=None, **extra):
    v = {
        "kind": kind,
        "django": django.get_version(),
        "name": name,
        "secret": secret,
        "fallbacks": list(FALLBACKS) if fallbacks is None else fallbacks,
        "salt": salt,
        "input": input,
        "output": output,
    }
    v.update(extra)
    return v


def signed_json(data):
    """The JSON a signature covers: the payload's base64, decompressed."""
    import zlib

    from django.core.signing import b64_decode

    payload = data.rsplit(":", 2)[0]
    compressed = payload.startswith(".")
    raw = b64_decode(payload.lstrip(".").encode())
    return (zlib.decompress(raw) if compressed else raw).decode("latin-1"), compressed


def session_vectors():
    from django.contrib.sessions.backends import db, signed_cookies
    from django.core import signing
    from django.test import override_settings

    out = []
    signers = [("SECRET_KEY", SECRET)] + [("fallback %d" % (i + 1), k) for i, k in enumerate(FALLBACKS)]
    for name, d in sessions():
        for who, key in signers:
            for ts in (TIMESTAMP, OLD_TIMESTAMP) if who == "SECRET_KEY" else (TIMESTAMP,):
                signing.time = Clock(ts)
                # Made as a Django whose SECRET_KEY was key would make it...
                with override_settings(SECRET_KEY=key, SECRET_KEY_FALLBACKS=[]):
                    data = db.SessionStore().encode(d)
                    store = signed_cookies.SessionStore()
                    store.update(d)
                    store.save()
                    cookie = store.session_key
                # ...and read by one whose SECRET_KEY is SECRET, with the
                # others as fallbacks (the signed cookie within its
                # SESSION_COOKIE_AGE, on signing's clock).
                got = db.SessionStore().decode(data)
                if got != d:
                    sys.exit("make_vectors: %s signed with %s: decode gave %r" % (name, who, got))
                loaded = signed_cookies.SessionStore(session_key=cookie).load()
                if loaded != d:
                    sys.exit("make_vectors: %s, signed cookie with %s: load gave %r" % (name, who, loaded))
                for kind, salt, text in (("session_data", SESSION_SALT, data), ("signed_cookie", COOKIE_SALT, cookie)):
                    js, compressed = signed_json(text)
                    label = "%s, signed with %s" % (name, who)
                    if ts != TIMESTAMP:
                        label += ", a year earlier"
                    out.append(vector(kind, label, salt, {"session": d, "timestamp": ts}, text,
                                      signed_with=key, compressed=compressed, json=js))
    signing.time = Clock(TIMESTAMP)
    return out


def refused_vectors():
    import base64

    from django.contrib.sessions.backends import db, signed_cookies
    from django.core import signing
    from django.test import override_settings
    from django.utils.crypto import salted_hmac

    d = session("1")
    signing.time = Clock(TIMESTAMP)
    good = db.SessionStore().encode(d)
    payload, ts, sig = good.rsplit(":", 2)
    with override_settings(SECRET_KEY=UNKNOWN, SECRET_KEY_FALLBACKS=[]):
        unknown = db.SessionStore().encode(d)
        store = signed_cookies.SessionStore()
        store.update(d)
        store.save()
        unknown_cookie = store.session_key
    # Django 3.2's legacy: the same signing, with an HMAC-SHA1 signature.
    sha1 = signing.TimestampSigner(key=SECRET, salt=SESSION_SALT, algorithm="sha1").sign_object(
        d, serializer=signing.JSONSerializer, compress=True)
    # Before 3.1: base64("<salted_hmac sha1 hexdigest>:<json>").
    serialized = signing.JSONSerializer().dumps(d)
    legacy_hash = salted_hmac("django.contrib.sessions" + db.SessionStore.__qualname__, serialized).hexdigest()
    legacy = base64.b64encode(legacy_hash.encode() + b":" + serialized).decode("ascii")
    tampered_payload = ("." + ("A" if payload[1] != "A" else "B") + payload[2:]) if payload.startswith(".") else "x" + payload[1:]
    cases = [
        ("signed with a key neither SECRET_KEY nor a fallback", unknown),
        ("the payload changed, the signature kept", ":".join([tampered_payload, ts, sig])),
        ("the signature of another payload", ":".join([payload, ts, unknown.rsplit(":", 1)[1]])),
        ("the signature cut short", good[:-1]),
        ("no signature", payload),
        ("Django 3.2's legacy HMAC-SHA1 signature, dropped in 4.0", sha1),
        ("the format before Django 3.1, base64 of sha1-hexdigest:json, dropped in 4.0", legacy),
        ("empty", ""),
    ]
    out = []
    # A signed cookie is checked against SESSION_COOKIE_AGE on signing's
    # clock: made a year before, it is refused now; a session_data row
    # carries no such limit (its expire_date does that).
    signing.time = Clock(OLD_TIMESTAMP)
    with override_settings(SECRET_KEY=SECRET, SECRET_KEY_FALLBACKS=[]):
        store = signed_cookies.SessionStore()
        store.update(d)
        store.save()
        old_cookie = store.session_key
    signing.time = Clock(TIMESTAMP)
    for name, cookie in [
        ("signed a year before now, past SESSION_COOKIE_AGE", old_cookie),
        ("signed with a key neither SECRET_KEY nor a fallback", unknown_cookie),
    ]:
        got = signed_cookies.SessionStore(session_key=cookie).load()
        if got != {}:
            sys.exit("make_vectors: signed cookie %s: load accepted it: %r" % (name, got))
        out.append(vector("signed_cookie_refused", name, COOKIE_SALT, {"cookie": cookie, "now": TIMESTAMP}, {}, reason=name))
    for name, data in cases:
        got = db.SessionStore().decode(data)
        if got != {}:
            sys.exit("make_vectors: %s: decode accepted it: %r" % (name, got))
        out.append(vector("session_data_refused", name, SESSION_SALT, {"session_data": data}, {}, reason=name))
    return out


def auth_hash_vectors():
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import User

    out = []
    for password in PASSWORDS:
        user = User(password=password)
        if not isinstance(user, AbstractBaseUser):
            sys.exit("make_vectors: auth.User is no AbstractBaseUser")
        out.append(vector("auth_user_hash", "get_session_auth_hash() under SECRET_KEY", HASH_SALT,
                          {"password": password}, user.get_session_auth_hash(), signed_with=SECRET))
        fallback = list(user.get_session_auth_fallback_hash())
        if len(fallback) != len(FALLBACKS):
            sys.exit("make_vectors: %d fallback hashes for %d fallbacks" % (len(fallback), len(FALLBACKS)))
        for i, (key, h) in enumerate(zip(FALLBACKS, fallback)):
            out.append(vector("auth_user_hash", "get_session_auth_fallback_hash() under fallback %d" % (i + 1), HASH_SALT,
                              {"password": password}, h, signed_with=key))
    return out


def fixed_random(rng):
    """django.utils.crypto.get_random_string, drawn from rng."""

    def get_random_string(length, allowed_chars):
        return "".join(rng.choice(allowed_chars) for _ in range(length))

    return get_random_string


def csrf_mask_vectors(rng):
    from django.middleware import csrf

    chars = csrf.CSRF_ALLOWED_CHARS
    secrets_ = [
        "a" * 32, "9" * 32, chars[:32], chars[30:62],
        "".join(rng.choice(chars) for _ in range(32)),
        "".join(rng.choice(chars) for _ in range(32)),
    ]
    masks = ["a" * 32, "Z" * 32, chars[30:62], "".join(rng.choice(chars) for _ in range(32))]
    out = []
    saved = csrf._get_new_csrf_string
    try:
        for s in secrets_:
            for m in masks:
                csrf._get_new_csrf_string = lambda m=m: m
                token = csrf._mask_cipher_secret(s)
                if csrf._unmask_cipher_token(token) != s:
                    sys.exit("make_vectors: csrf mask of %r does not unmask" % s)
                out.append(vector("csrf_mask", "_mask_cipher_secret(secret) with the mask given", None,
                                  {"secret": s, "mask": m}, token, secret=None, fallbacks=[]))
    finally:
        csrf._get_new_csrf_string = saved
    return out


def csrf_middleware():
    from django.http import HttpResponse
    from django.middleware.csrf import CsrfViewMiddleware

    class CSRFCheck(CsrfViewMiddleware):
        # rest_framework.authentication.CSRFCheck: the reason, not a page.
        def _reject(self, request, reason):
            return reason

    return CSRFCheck(lambda request: HttpResponse())


def csrf_cookie_vectors(rng):
    from django.conf import settings as s
    from django.http import HttpResponse
    from django.middleware import csrf
    from django.test import RequestFactory

    secret = "".join(rng.choice(csrf.CSRF_ALLOWED_CHARS) for _ in range(32))
    masked_old = csrf._mask_cipher_secret(secret)  # the cookie of Django before 4.1
    out = []
    for name, cookie in [
        ("no cookie: a new secret", None),
        ("the 4.1+ cookie, a secret", secret),
        ("the cookie of Django before 4.1, masked: its secret stored instead", masked_old),
        ("a cookie of a bad length: replaced by a new secret", "abc"),
        ("a cookie with bad characters: replaced by a new secret", "!" * 32),
    ]:
        request = RequestFactory().get("/")
        if cookie is not None:
            request.COOKIES[s.CSRF_COOKIE_NAME] = cookie
        mw = csrf_middleware()
        mw.process_request(request)
        token = csrf.get_token(request)
        response = mw.process_response(request, HttpResponse())
        set_cookie = response.cookies[s.CSRF_COOKIE_NAME].value if s.CSRF_COOKIE_NAME in response.cookies else None
        got_secret = csrf._unmask_cipher_token(token)
        if set_cookie is not None and set_cookie != got_secret:
            sys.exit("make_vectors: %s: the cookie %r is not the token's secret" % (name, set_cookie))
        out.append(vector("csrf_cookie", name, None, {"cookie": cookie},
                          {"cookie": set_cookie, "token": token, "secret": got_secret}, secret=None, fallbacks=[]))
    return out


def csrf_check_vectors(rng):
    from django.conf import settings as s
    from django.middleware import csrf
    from django.test import RequestFactory

    chars = csrf.CSRF_ALLOWED_CHARS
    secret = "".join(rng.choice(chars) for _ in range(32))
    other = "".join(rng.choice(chars) for _ in range(32))
    token = csrf._mask_cipher_secret(secret)
    old_cookie = csrf._mask_cipher_secret(secret)
    wrong = csrf._mask_cipher_secret(other)
    cases = [
        ("GET needs no token", "GET", secret, None, None),
        ("HEAD needs no token", "HEAD", None, None, None),
        ("OPTIONS needs no token", "OPTIONS", None, None, None),
        ("TRACE needs no token", "TRACE", None, None, None),
        ("POST, the form's masked token", "POST", secret, token, None),
        ("POST, the header's masked token", "POST", secret, None, token),
        ("POST, the bare secret in the header (as read from the cookie)", "POST", secret, None, secret),
        ("POST, the form's token, a masked cookie of Django before 4.1", "POST", old_cookie, token, None),
        ("POST, the form wins over the header", "POST", secret, token, wrong),
        ("POST, an empty form field falls back to the header", "POST", secret, "", token),
        ("PUT, the header's token", "PUT", secret, None, token),
        ("DELETE, the header's token", "DELETE", secret, None, token),
        ("PATCH without a token", "PATCH", secret, None, None),
        ("POST without the cookie", "POST", None, token, None),
        ("POST without a token", "POST", secret, None, None),
        ("POST, a token of another secret", "POST", secret, wrong, None),
        ("POST, a header token of another secret", "POST", secret, None, wrong),
        ("POST, a form token of a bad length", "POST", secret, token[:-1], None),
        ("POST, a header token of a bad length", "POST", secret, None, token[:40]),
        ("POST, a form token with bad characters", "POST", secret, token[:-1] + "-", None),
        ("POST, a header token with bad characters", "POST", secret, None, "-" * 64),
        ("POST, a cookie of a bad length", "POST", secret[:-1], token, None),
        ("POST, a cookie with bad characters", "POST", "%" * 32, token, None),
        ("POST, an empty cookie", "POST", "", token, None),
    ]
    out = []
    for name, method, cookie, form, header in cases:
        extra = {}
        if header is not None:
            extra[s.CSRF_HEADER_NAME] = header
        rf = RequestFactory()
        data = {} if form is None else {"csrfmiddlewaretoken": form}
        request = rf.generic(method, "/", **extra) if method != "POST" else rf.post("/", data, **extra)
        if cookie is not None:
            request.COOKIES[s.CSRF_COOKIE_NAME] = cookie
        mw = csrf_middleware()
        mw.process_request(request)
        reason = mw.process_view(request, lambda r: None, (), {})
        out.append(vector("csrf_check", name, None,
                          {"method": method, "cookie": cookie, "form": form, "header": header},
                          {"accepted": reason is None, "reason": reason}, secret=None, fallbacks=[]))
    return out


def sources():
    root = os.path.dirname(os.path.dirname(os.path.abspath(django.__file__)))
    sums = {}
    for rel in SOURCES:
        with open(os.path.join(root, rel), "rb") as f:
            sums[rel] = hashlib.sha256(f.read()).hexdigest()
    return sums


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    tag = sys.argv[1]
    if django.get_version() != tag:
        sys.exit("make_vectors: this Django is %s (%s), not %s: set PYTHONPATH to the tag's tree"
                 % (django.get_version(), django.__file__, tag))
    if django.VERSION[:2] < (4, 1):
        sys.exit("make_vectors: Django %s has no SECRET_KEY_FALLBACKS; this script is for 4.1 and later" % tag)
    setup()
    from django.conf import settings as s
    from django.core import signing
    from django.middleware import csrf

    from django.contrib.auth.hashers import make_password

    PASSWORDS[0] = make_password(PASSWORD, salt=PASSWORD_SALT, hasher="pbkdf2_sha256")
    rng = random.Random(SEED)
    csrf.get_random_string = fixed_random(rng)
    signing.time = Clock(TIMESTAMP)
    vectors = (session_vectors() + refused_vectors() + auth_hash_vectors() + csrf_mask_vectors(rng)
               + csrf_cookie_vectors(rng) + csrf_check_vectors(rng))
    doc = {
        "django": django.get_version(),
        "generated_by": "session/testdata/make_vectors_4x5x.py",
        "python": platform.python_version(),
        "sources": sources(),
        "settings": {
            "SESSION_COOKIE_NAME": s.SESSION_COOKIE_NAME,
            "SESSION_COOKIE_AGE": s.SESSION_COOKIE_AGE,
            "SESSION_SERIALIZER": s.SESSION_SERIALIZER,
            "CSRF_COOKIE_NAME": s.CSRF_COOKIE_NAME,
            "CSRF_HEADER_NAME": s.CSRF_HEADER_NAME,
            "CSRF_USE_SESSIONS": s.CSRF_USE_SESSIONS,
        },
        "vectors": vectors,
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "django-%s.json" % tag)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print("%s: %d vectors" % (path, len(vectors)))


if __name__ == "__main__":
    main()
