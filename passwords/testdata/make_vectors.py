"""Print test vectors for the Go passwords package, made by Django's own hashers.

Run it with Debian's interpreter and packages (python3-django, python3-argon2,
python3-bcrypt), from the repository root:

    /usr/bin/python3 passwords/testdata/make_vectors.py > passwords/testdata/django_vectors.json

Each vector is {algorithm, params, password, encoded, ok, wrong, wrong_ok,
must_update, hasher_must_update}:

- encoded is make_password(password) with Django's hasher for algorithm, at
  Django's defaults (params "default") or with a subclass that only lowers the
  costs so that the Go tests run fast ("cheap"), or changes one thing on
  purpose ("weak_salt", "argon2i");
- ok is check_password(password, encoded) and wrong_ok is
  check_password(wrong, encoded): Django's own answers;
- must_update is what check_password decides under Django's default settings
  (PBKDF2PasswordHasher preferred): another algorithm, or the preferred
  hasher's must_update();
- hasher_must_update is the must_update() of the vector's own hasher at
  Django's defaults, as if that hasher were the preferred one.

Django releases before 4.0 have no ScryptPasswordHasher; there, the scrypt
vectors come from hashlib.scrypt in the form that hasher writes
(producer "hashlib.scrypt"), and their Django fields are null.
"""

import base64
import hashlib
import json
import platform
import sys

import django
from django.conf import settings

HASHERS = [
    # Django's default list, in its order: the first is the preferred one.
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    # Not in the default list, but formats the Go package reads.
    "django.contrib.auth.hashers.BCryptPasswordHasher",
    # Formats the Go package refuses (ErrUnknownAlgorithm).
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "django.contrib.auth.hashers.UnsaltedMD5PasswordHasher",
    "django.contrib.auth.hashers.SHA1PasswordHasher",
]

import django.contrib.auth.hashers as hashers_module  # noqa: E402

HAVE_SCRYPT = hasattr(hashers_module, "ScryptPasswordHasher")
if HAVE_SCRYPT:
    HASHERS.insert(5, "django.contrib.auth.hashers.ScryptPasswordHasher")

settings.configure(PASSWORD_HASHERS=HASHERS)
django.setup()

import argon2  # noqa: E402
import bcrypt  # noqa: E402
from django.contrib.auth.hashers import (  # noqa: E402
    Argon2PasswordHasher,
    BCryptPasswordHasher,
    BCryptSHA256PasswordHasher,
    PBKDF2PasswordHasher,
    PBKDF2SHA1PasswordHasher,
    check_password,
    get_hasher,
    identify_hasher,
    make_password,
)

PASSWORDS = [
    "admin",
    "",
    " ",
    "pässwörd",
    "  correct horse  battery staple ",
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ" + "ü" * 19,  # 100 bytes
    "日本語のパスワード",
]
assert len(PASSWORDS[5].encode()) == 100


class CheapPBKDF2(PBKDF2PasswordHasher):
    iterations = 1000


class CheapPBKDF2SHA1(PBKDF2SHA1PasswordHasher):
    iterations = 1000


class CheapArgon2(Argon2PasswordHasher):
    time_cost = 1
    memory_cost = 64
    parallelism = 2


class Argon2i(Argon2PasswordHasher):
    """What Django wrote before 3.2 through argon2-cffi's default variety."""

    time_cost = 2
    memory_cost = 512
    parallelism = 2

    def params(self):
        p = super().params()
        p.type = argon2.low_level.Type.I
        return p


class CheapBCryptSHA256(BCryptSHA256PasswordHasher):
    rounds = 4


class CheapBCrypt(BCryptPasswordHasher):
    rounds = 4


def django_fields(password, encoded, wrong):
    hasher = identify_hasher(encoded)
    preferred = get_hasher("default")
    return {
        "ok": check_password(password, encoded),
        "wrong": wrong,
        "wrong_ok": check_password(wrong, encoded),
        "must_update": hasher.algorithm != preferred.algorithm or preferred.must_update(encoded),
        "hasher_must_update": hasher.must_update(encoded),
    }


def vector(algorithm, params, password, hasher, salt=None):
    encoded = make_password(password, salt=salt, hasher=hasher)
    v = {"algorithm": algorithm, "params": params, "password": password, "encoded": encoded}
    v.update(django_fields(password, encoded, password + "!"))
    return v


def scrypt_vector(params, password, n, r, p):
    """ScryptPasswordHasher.encode() of Django 4.0 and later, through hashlib."""
    salt = get_hasher("pbkdf2_sha256").salt()
    key = hashlib.scrypt(password.encode(), salt=salt.encode(), n=n, r=r, p=p, maxmem=0, dklen=64)
    encoded = "scrypt$%d$%s$%d$%d$%s" % (n, salt, r, p, base64.b64encode(key).decode("ascii"))
    v = {"algorithm": "scrypt", "params": params, "password": password, "encoded": encoded,
         "producer": "hashlib.scrypt"}
    v.update({"ok": None, "wrong": password + "!", "wrong_ok": None, "must_update": None,
              "hasher_must_update": None})
    return v


def main():
    vectors = []
    for algorithm, cheap in [
        ("pbkdf2_sha256", CheapPBKDF2()),
        ("pbkdf2_sha1", CheapPBKDF2SHA1()),
        ("argon2", CheapArgon2()),
        ("bcrypt_sha256", CheapBCryptSHA256()),
        ("bcrypt", CheapBCrypt()),
    ]:
        vectors.append(vector(algorithm, "default", PASSWORDS[0], algorithm))
        for password in PASSWORDS:
            vectors.append(vector(algorithm, "cheap", password, cheap))
    for password in PASSWORDS[:4]:
        vectors.append(vector("argon2", "argon2i", password, Argon2i()))
    # Django's salt-entropy rule: 11 characters carry under 128 bits.
    vectors.append(vector("pbkdf2_sha256", "weak_salt", "admin", "pbkdf2_sha256", salt="iodizedsalt"))
    vectors.append(vector("argon2", "weak_salt", "admin", CheapArgon2(), salt="iodizedsalt"))
    if HAVE_SCRYPT:
        s = get_hasher("scrypt")
        vectors.append(vector("scrypt", "default", PASSWORDS[0], "scrypt"))

        class CheapScrypt(type(s)):
            work_factor = 2**4
            block_size = 2
            parallelism = 1

        for password in PASSWORDS:
            vectors.append(vector("scrypt", "cheap", password, CheapScrypt()))
    else:
        vectors.append(scrypt_vector("default", PASSWORDS[0], 2**14, 8, 1))
        vectors.append(scrypt_vector("default", PASSWORDS[0], 2**14, 8, 5))
        for password in PASSWORDS:
            vectors.append(scrypt_vector("cheap", password, 2**4, 2, 1))
    for algorithm in ["md5", "unsalted_md5", "sha1"]:
        vectors.append(vector(algorithm, "default", "admin", algorithm))

    pbkdf2 = get_hasher("pbkdf2_sha256")
    a2 = get_hasher("argon2")
    bc = get_hasher("bcrypt_sha256")
    defaults = {
        "pbkdf2_iterations": pbkdf2.iterations,
        "argon2_time_cost": a2.time_cost,
        "argon2_memory_cost": a2.memory_cost,
        "argon2_parallelism": a2.parallelism,
        "bcrypt_rounds": bc.rounds,
    }
    if HAVE_SCRYPT:
        s = get_hasher("scrypt")
        defaults.update(scrypt_n=s.work_factor, scrypt_r=s.block_size, scrypt_p=s.parallelism)
    out = {
        "comment": "Made by passwords/testdata/make_vectors.py with Django's own hashers; see that file.",
        "django": django.get_version(),
        "argon2_cffi": argon2.__version__,
        "bcrypt": bcrypt.__version__,
        "python": platform.python_version(),
        "defaults": defaults,
        "vectors": vectors,
    }
    json.dump(out, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
