"""Lightning Apps' exception names, at its import path (`lightning.app.utilities.exceptions`)."""


class MisconfigurationException(Exception):
    """A setting or argument of the app is wrong."""


class CacheMissException(Exception):
    """A value was asked of a cache that does not have it."""


class ExitAppException(Exception):
    """Raised to end the app."""


class LightningComponentException(Exception):
    """A flow or work was used against its rules."""


class InvalidPathException(Exception):
    """A path is not valid where it was given."""


class LightningFlowException(Exception):
    """A flow was used against its rules."""


class LightningWorkException(Exception):
    """A work was used against its rules."""


class LightningAppStateException(Exception):
    """The app's state could not be read or changed."""


class LightningSigtermStateException(Exception):
    """The app was ended by SIGTERM."""

    def __init__(self, exit_code: int = 0) -> None:
        super().__init__(exit_code)
        self.exit_code = exit_code
