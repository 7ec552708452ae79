from allauth.account.adapter import DefaultAccountAdapter
from django import forms

from shomp.core.reserved import RESERVED_WORDS


class AccountAdapter(DefaultAccountAdapter):
    def clean_username(self, username, shallow=False):
        username = super().clean_username(username, shallow=shallow)
        if username.lower() in RESERVED_WORDS:
            raise forms.ValidationError("That username is reserved. Please choose another.")
        return username
