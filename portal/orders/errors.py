"""Errors the order operations raise; each carries a message for the user, in Chinese."""
from .states import TransitionRefused


class InvalidInput(Exception):
    """The input given with an action is missing or wrong; nothing was changed."""


class Conflict(Exception):
    """Someone else changed the order first; nothing was changed."""

    def __init__(self, message: str = "该工单已被他人更新，您的操作未保存。请查看最新情况后重新提交（您填写的内容已保留）。"):
        super().__init__(message)


__all__ = ["Conflict", "InvalidInput", "TransitionRefused"]
