from django import forms


class LoginForm(forms.Form):
    apikey = forms.CharField(
        label="Horde API key",
        max_length=100,
        strip=True,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
        error_messages={"required": "Paste your Horde API key (or 0000000000 to rate anonymously)."},
    )
