import pytest
from django.core.management import CommandError, call_command


def test_it_refuses_to_start_when_debug_is_off(settings):
    settings.STANDIN_HORDE_ALLOWED = False
    with pytest.raises(CommandError):
        call_command("standin_horde", "--port", "0")
