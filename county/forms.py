"""Forms of the county core."""

from django.contrib.auth.forms import AuthenticationForm


class LoginForm(AuthenticationForm):
    """The login form with Bootstrap classes and Chinese placeholders."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update(
            {"class": "form-control", "placeholder": "用户名", "autofocus": True}
        )
        self.fields["password"].widget.attrs.update(
            {"class": "form-control", "placeholder": "密码"}
        )
