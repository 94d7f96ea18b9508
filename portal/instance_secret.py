"""The secret key lives in the instance folder, made once with a random value, never in code."""
import os
import secrets


def load_or_create_secret(instance_path: str) -> str:
    path = os.path.join(instance_path, "secret_key")
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:  # first start: several workers may race here; O_EXCL lets exactly one write
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    with open(path) as f:
        secret = f.read().strip()
    if not secret:  # another worker created the file and has not written it yet
        import time

        time.sleep(0.2)
        with open(path) as f:
            secret = f.read().strip()
    return secret
