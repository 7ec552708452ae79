from allauth.account.forms import LoginForm as AllauthLoginForm
from django.core import validators

# The longest identifier anyone can log in with: an email address (Django's EmailField allows 320;
# usernames stop at 150). allauth leaves the "username or email" field unbounded, and an unbounded
# text reaches the database's case-insensitive lookups (SQLite refuses a LIKE pattern that long).
LOGIN_MAX_LENGTH = 320


class LoginForm(AllauthLoginForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["login"]
        field.label = "Username or email"
        if getattr(field, "max_length", None) is None:
            field.max_length = LOGIN_MAX_LENGTH
            field.validators.append(validators.MaxLengthValidator(LOGIN_MAX_LENGTH))
            field.widget.attrs["maxlength"] = str(LOGIN_MAX_LENGTH)
        field.error_messages["max_length"] = (
            f"That is longer than any username or email address (at most {LOGIN_MAX_LENGTH} characters)."
        )
