"""One error base for everything a user should see as a message, not a traceback.

Each layer translates what it catches from the layer below (``raise ... from e``);
``tracker.cli`` maps these to stderr text and exit codes in one place.
"""

from __future__ import annotations


class TrackerError(Exception):
    """An error with a message for the user and an optional hint about what to do next."""

    exit_code = 1

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple[type[TrackerError], tuple[str, str | None]]:
        # Errors cross from the fetching process to the storing one pickled.
        return (self.__class__, (self.message, self.hint))


class UsageError(TrackerError):
    """Bad input from the user: an unknown id, a malformed date, a bad option value."""

    exit_code = 2


class ConfigError(UsageError):
    """The configuration file or an override is invalid."""


class NotFoundError(UsageError):
    """The thing the user named is not in the database."""


class DatabaseError(TrackerError):
    """The database cannot be opened, is locked, or was made by a newer version."""


class SchemaTooNewError(DatabaseError):
    """The database was written by a newer tracker than this one."""


class LockHeldError(TrackerError):
    """Another sync holds the lock; cron can ignore this."""

    exit_code = 75


class SourceUnavailableError(TrackerError):
    """A remote source (arXiv, the Hub) could not be reached or kept failing."""


class SourceQueryError(TrackerError):
    """A remote source rejected our request (HTTP 4xx other than 429): retrying will not help."""


class GatedModelError(TrackerError):
    """The model is gated or private: the user must log in and accept its licence."""

    @classmethod
    def for_model(cls, repo_id: str, endpoint: str, private: bool = False) -> GatedModelError:
        """The one wording, for the Hub source and for `tracker try`."""
        what = "private or does not exist" if private else "gated"
        page = f"{endpoint.rstrip('/')}/{repo_id}"
        return cls(
            f"model {repo_id} is {what}: its files need a logged-in Hub account.",
            hint=f"Run `hf auth login` (or set HF_TOKEN), then accept its licence at {page}.",
        )


class TrialError(TrackerError):
    """A model cannot be tried: unsupported task, unsafe weights, does not fit."""
