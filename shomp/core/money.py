"""Money is a Decimal with two places, in the store's currency. Never a float."""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
MAX_PRICE = Decimal("1000000.00")
CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£"}


def quantize(amount: Decimal | int | str) -> Decimal:
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


def format_money(amount: Decimal | None, currency: str = "USD") -> str:
    if amount is None:
        return ""
    value = quantize(amount)
    if value < 0:  # -$5.00, not $-5.00
        return "-" + format_money(-value, currency)
    symbol = CURRENCY_SYMBOLS.get(currency)
    text = f"{value:,.2f}"
    return f"{symbol}{text}" if symbol else f"{text} {currency}"


def format_price(amount: Decimal | None, currency: str = "USD") -> str:
    """A price as buyers read it: "Free" for nothing, else the money ("$12.00")."""
    if amount is not None and quantize(amount) == 0:
        return "Free"
    return format_money(amount, currency)
