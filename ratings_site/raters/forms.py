from django import forms


class LoginForm(forms.Form):
    apikey = forms.CharField(
        label="Horde API key",
        max_length=100,
        strip=True,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
        error_messages={"required": "Paste your Horde API key (or 0000000000 to rate anonymously)."},
    )

    def __init__(self, *args, autofocus: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not autofocus:
            # A page with more to read than the form (the landing page) must not jump past it to the key.
            self.fields["apikey"].widget.attrs.pop("autofocus", None)
