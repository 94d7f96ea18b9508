"""The password rules, one function every way of setting a password goes through.

A password has at least ``MIN_LENGTH`` characters, at least three of the four kinds (upper-case letters,
lower-case letters, digits, symbols), does not contain the username, and is not one of the commonly
used passwords in ``common_passwords.txt``. ``problems(password, username)`` returns what is wrong, in
Chinese for users; ``check(..., english=True)`` raises with the English text for operators' commands.
"""
import secrets
from functools import cache
from pathlib import Path

MIN_LENGTH = 10
MAX_LENGTH = 128
COMMON_LIST = Path(__file__).with_name("common_passwords.txt")

# (Chinese for users, English for operators) per rule
MESSAGES = {
    "length": (f"密码至少{MIN_LENGTH}位。", f"password must have at least {MIN_LENGTH} characters"),
    "too_long": (f"密码不能超过{MAX_LENGTH}位。", f"password must have at most {MAX_LENGTH} characters"),
    "kinds": ("密码须包含大写字母、小写字母、数字、符号中的至少三种。",
              "password must mix at least 3 of: upper-case letters, lower-case letters, digits, symbols"),
    "username": ("密码不能包含用户名。", "password must not contain the username"),
    "common": ("这是常见的弱密码，请换一个。", "password is a commonly used one"),
}


class PasswordRejected(ValueError):
    """The password breaks a rule; ``messages`` are for the user (Chinese), str() for operators."""

    def __init__(self, codes: list[str]):
        self.codes = codes
        self.messages = [MESSAGES[c][0] for c in codes]
        super().__init__("; ".join(MESSAGES[c][1] for c in codes))


@cache
def common_passwords() -> frozenset[str]:
    lines = COMMON_LIST.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def kinds(password: str) -> int:
    """How many of the four kinds of character the password has."""
    return sum((
        any(c.isupper() for c in password),
        any(c.islower() for c in password),
        any(c.isdigit() for c in password),
        any(not c.isalnum() for c in password),
    ))


def problems(password: str, username: str = "") -> list[str]:
    """The rules ``password`` breaks, as codes (keys of ``MESSAGES``); empty when it is acceptable."""
    password = password or ""
    found = []
    if len(password) < MIN_LENGTH:
        found.append("length")
    if len(password) > MAX_LENGTH:
        found.append("too_long")
    if kinds(password) < 3:
        found.append("kinds")
    name = (username or "").strip().lower()
    if name and name in password.lower():
        found.append("username")
    if password.lower() in common_passwords():
        found.append("common")
    return found


def check(password: str, username: str = "") -> None:
    """Raise ``PasswordRejected`` if ``password`` breaks a rule."""
    codes = problems(password, username)
    if codes:
        raise PasswordRejected(codes)


# No look-alike characters (0/O, 1/l/I) in passwords that people copy from a screen.
_UPPER = "ABCDEFGHJKLMNPQRSTUVWXYZ"
_LOWER = "abcdefghijkmnpqrstuvwxyz"
_DIGITS = "23456789"
_SYMBOLS = "#%+-=@"


def generate(length: int = 12) -> str:
    """A random password that passes the rules: every kind of character at least once."""
    alphabet = _UPPER + _LOWER + _DIGITS + _SYMBOLS
    while True:
        chars = [secrets.choice(group) for group in (_UPPER, _LOWER, _DIGITS, _SYMBOLS)]
        chars += [secrets.choice(alphabet) for _ in range(max(length, MIN_LENGTH) - len(chars))]
        secrets.SystemRandom().shuffle(chars)
        password = "".join(chars)
        if not problems(password):
            return password
