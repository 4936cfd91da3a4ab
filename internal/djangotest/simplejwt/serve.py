#!/usr/bin/python3
"""A running djangorestframework-simplejwt server for the Go interop tests.

Run with Debian's interpreter, which has python3-django,
python3-djangorestframework, python3-djangorestframework-simplejwt (and
python3-psycopg2 for PostgreSQL); every setting comes from the environment
(settings.py lists the variables):

    /usr/bin/python3 serve.py setup < [{"username": ..., "password": ...,
                                        "email": ..., "is_active": true}, ...]
        Runs Django's migrate on the configured database (auth,
        contenttypes, token_blacklist), then creates each user with
        create_user (password null: no usable password; email and is_active
        optional, default "" and true). Prints a JSON manifest on stdout:
        {"django": ..., "simplejwt": ..., "pyjwt": ..., "users": [{"id": ...,
        "username": ..., "is_active": ...}, ...]}. Passwords come on stdin,
        not in argv, to stay out of the process list.

    /usr/bin/python3 serve.py serve
        Serves the project on 127.0.0.1, on a port the kernel picks, one
        thread a connection, and prints "listening on http://127.0.0.1:PORT"
        on stdout once the socket listens. On SIGTERM or SIGINT it stops
        accepting connections, lets the requests it is serving finish (for
        up to GRACE seconds), so that their responses and log lines are
        complete, and exits with status 0. It exits at once when its parent
        process dies, so that a test killed mid-run leaves no server behind.
        The request log and errors go to stderr.
"""

import json
import os
import signal
import sys
import threading
import time

# The project's own modules load from this directory; no __pycache__ may
# land in the repository.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ["DJANGO_SETTINGS_MODULE"] = "settings"

import django  # noqa: E402

# How long a stopping server waits for the requests it is serving.
GRACE = 5.0


def setup():
    django.setup()
    from importlib.metadata import version

    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    users = json.load(sys.stdin)
    call_command("migrate", verbosity=0, interactive=False)
    User = get_user_model()
    manifest = {
        "django": django.get_version(),
        "simplejwt": version("djangorestframework-simplejwt"),
        "pyjwt": version("PyJWT"),
        "users": [],
    }
    for spec in users:
        user = User.objects.create_user(
            spec["username"],
            spec.get("email", ""),
            spec.get("password"),
            is_active=spec.get("is_active", True),
        )
        manifest["users"].append({"id": user.pk, "username": user.get_username(), "is_active": user.is_active})
    json.dump(manifest, sys.stdout, ensure_ascii=False)
    print()


def watch_parent():
    """Exits once the parent process is gone. Polling the parent's pid
    notices the death of the process itself; PR_SET_PDEATHSIG would fire
    when the thread that started us exits, which in a Go parent may happen
    long before the test ends."""
    parent = os.getppid()
    if parent == 1:
        return
    while True:
        time.sleep(0.2)
        if os.getppid() != parent:
            os._exit(0)


def serve():
    django.setup()
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
    from django.db import connections
    from django.urls import get_resolver

    # Fail before announcing the port, not on the first request: import
    # the views and open (then close) the database once.
    get_resolver().url_patterns
    connections["default"].ensure_connection()
    connections.close_all()

    class Server(ThreadedWSGIServer):
        # Django's 10 would make the kernel drop connections a test opens
        # at once, turning a burst into retries a second apart.
        request_queue_size = 128

    # Requests between their request line and their log line. Idle
    # keep-alive connections are not counted: a stop must not wait for a
    # client to hang up.
    busy = threading.Condition()
    serving = [0]

    class Handler(WSGIRequestHandler):
        def handle_one_request(self):
            self.counted = False
            try:
                super().handle_one_request()
            finally:
                if self.counted:
                    with busy:
                        serving[0] -= 1
                        busy.notify_all()

        def parse_request(self):
            # Called once the request line is in: from here on the request
            # is being served.
            with busy:
                serving[0] += 1
            self.counted = True
            return super().parse_request()

    httpd = Server(("127.0.0.1", 0), Handler)
    httpd.set_app(WSGIHandler())

    def stop(signum, frame):
        # shutdown() waits for serve_forever, which this handler
        # interrupted on the main thread: ask from another thread.
        threading.Thread(target=httpd.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    threading.Thread(target=watch_parent, daemon=True).start()
    print("listening on http://127.0.0.1:%d" % httpd.server_address[1], flush=True)
    httpd.serve_forever()
    httpd.socket.close()
    with busy:
        busy.wait_for(lambda: serving[0] == 0, timeout=GRACE)
    sys.stderr.flush()
    # Not sys.exit: the handler threads of idle connections would keep
    # the interpreter waiting on their sockets.
    os._exit(0)


def main():
    if sys.argv[1:] == ["setup"]:
        setup()
    elif sys.argv[1:] == ["serve"]:
        serve()
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
