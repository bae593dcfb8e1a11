"""Helpers at Lightning Apps' import paths (`lightning.app.utilities.app_helpers`)."""
import pytest

import lightwork as L
from lightwork.utilities.app_helpers import affiliation, is_overridden


class Flow(L.LightningFlow):
    def run(self):
        pass


def test_is_overridden_as_lightning_apps_answered():
    assert not is_overridden("run", None)
    with pytest.raises(ValueError, match="is_overridden.*a LightningFlow or LightningWork, or pass parent="):
        is_overridden("run", object())
    assert is_overridden("run", Flow()) and not is_overridden("configure_layout", Flow())
    assert not is_overridden("whatever", Flow()) and not is_overridden("whatever", Flow(), parent=Flow)
    assert is_overridden("run", Flow(), parent=L.LightningFlow)


def test_affiliation_is_the_path_of_attribute_names_from_the_root():
    class Outer(L.LightningFlow):
        def __init__(self):
            super().__init__()
            self.b = Flow()
            self.pool = L.structures.List(Flow())

        def run(self):
            pass

    root = Outer()
    assert affiliation(root) == () and affiliation(root.b) == ("b",) and affiliation(root.pool[0]) == ("pool", "0")
