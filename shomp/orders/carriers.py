"""Shipping carriers the seller picks from, and where their tracking pages live.

An order keeps the carrier's code ("usps"); "other" is any carrier we have no link for, so the
buyer sees the tracking number only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote


@dataclass(frozen=True)
class Carrier:
    code: str
    name: str
    url: str = ""  # with {number}; empty: no tracking page we know of

    def tracking_url(self, number: str) -> str:
        return self.url.format(number=quote(number, safe="")) if self.url and number else ""


OTHER = "other"

CARRIERS: dict[str, Carrier] = {
    carrier.code: carrier
    for carrier in [
        Carrier("usps", "USPS", "https://tools.usps.com/go/TrackConfirmAction?tLabels={number}"),
        Carrier("ups", "UPS", "https://www.ups.com/track?tracknum={number}"),
        Carrier("fedex", "FedEx", "https://www.fedex.com/fedextrack/?trknbr={number}"),
        Carrier("dhl", "DHL", "https://www.dhl.com/global-en/home/tracking.html?tracking-id={number}"),
        Carrier("royal_mail", "Royal Mail", "https://www.royalmail.com/track-your-item#/tracking-results/{number}"),
        Carrier("parcelforce", "Parcelforce", "https://www.parcelforce.com/track-trace?trackNumber={number}"),
        Carrier("evri", "Evri", "https://www.evri.com/track/parcel/{number}"),
        Carrier(
            "canada_post",
            "Canada Post",
            "https://www.canadapost-postescanada.ca/track-reperage/en#/search?searchFor={number}",
        ),
        Carrier("australia_post", "Australia Post", "https://auspost.com.au/mypost/track/details/{number}"),
        Carrier("nz_post", "NZ Post", "https://www.nzpost.co.nz/tools/tracking/item/{number}"),
        Carrier("la_poste", "La Poste / Colissimo", "https://www.laposte.fr/outils/suivre-vos-envois?code={number}"),
        Carrier(
            "deutsche_post",
            "Deutsche Post",
            "https://www.deutschepost.de/sendung/simpleQuery.html?form.sendungsnummer={number}",
        ),
        Carrier("postnl", "PostNL", "https://jouw.postnl.nl/track-and-trace/{number}"),
        Carrier(OTHER, "Another carrier"),
    ]
}

CHOICES = [(carrier.code, carrier.name) for carrier in CARRIERS.values()]

#: Letters, digits, spaces and dashes; spaces and dashes are dropped when saved.
NUMBER_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 \-]{3,59}$")


def carrier_name(code: str) -> str:
    carrier = CARRIERS.get(code)
    return carrier.name if carrier else code


def tracking_url(code: str, number: str) -> str:
    """The carrier's tracking page for `number`, or "" (an unknown carrier: the number only)."""
    carrier = CARRIERS.get(code)
    return carrier.tracking_url(number) if carrier else ""
