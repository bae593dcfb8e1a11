"""The app config file's name, at Lightning Apps' path (`lightning.app.utilities.packaging.app_config`)."""

_APP_CONFIG_FILENAME = ".lightning"  # Lightning Apps' cloud kept the app's name here; lightwork writes none
