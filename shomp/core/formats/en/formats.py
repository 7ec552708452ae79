"""One date format across Shomp: "Dec 6, 2026" and "Dec 6, 2026, 14:05" (templates that name a
format use the same ones; `|date` without one, forms and the admin take these)."""

DATE_FORMAT = "M j, Y"
DATETIME_FORMAT = "M j, Y, H:i"
SHORT_DATE_FORMAT = "M j, Y"
SHORT_DATETIME_FORMAT = "M j, Y, H:i"
