"""Warnings lightwork gives apps, at Lightning Apps' import path (`lightning.app.utilities.warnings`)."""


class LightningFlowWarning(UserWarning):
    """A flow is used in a way that hurts the app: its run() takes long (move the work into a LightningWork)."""


__all__ = ["LightningFlowWarning"]
