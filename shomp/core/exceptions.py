"""Errors that services raise and views turn into a message next to a field or a page."""

from django.core.exceptions import ValidationError

__all__ = ["OutOfStock", "PaymentDeclined", "RateLimited", "ServiceError", "ValidationError"]


class ServiceError(Exception):
    """A business rule refused the request; the message is safe to show to the user."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class RateLimited(ServiceError):
    pass


class PaymentDeclined(ServiceError):
    pass


class OutOfStock(ServiceError):
    pass
