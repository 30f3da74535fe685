"""The SDK's version. Set in the repository's VERSION file, the one place for both packages;
every build of this package (editable installs included) writes it here."""

__version__ = "0.4.0"
