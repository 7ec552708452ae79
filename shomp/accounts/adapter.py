from allauth.account.adapter import DefaultAccountAdapter
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q

from shomp.core.reserved import RESERVED_WORDS


class AccountAdapter(DefaultAccountAdapter):
    def clean_username(self, username, shallow=False):
        username = super().clean_username(username, shallow=shallow)
        if username.lower() in RESERVED_WORDS:
            raise forms.ValidationError("That username is reserved. Please choose another.")
        return username

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        """Count failed logins per account, not per name typed: allauth keys them by the login
        text, so the username and each email address of one account got their own five tries.
        (allauth calls this for the login throttle and to clear it after a password reset.)
        A login that names no account keeps allauth's key, so it can't lock a real one."""
        login = credentials.get("email", credentials.get("username", "")).strip()
        user_id = (
            get_user_model()
            .objects.filter(Q(username__iexact=login) | Q(email__iexact=login) | Q(emailaddress__email__iexact=login))
            .values_list("pk", flat=True)
            .first()
            if login
            else None
        )
        if user_id is None:
            return super()._get_login_attempts_cache_key(request, **credentials)
        return f"account:{user_id}"
