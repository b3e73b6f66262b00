"""The one error hierarchy of reelflow.

Third-party exceptions are translated at the boundary into one of these, with the original
chained as ``__cause__``.
"""

from __future__ import annotations


class ReelflowError(Exception):
    """Base class of every error reelflow raises on purpose."""


class InvalidScript(ReelflowError):
    """The script text or its settings cannot be turned into a valid video plan."""


class SpeechFailed(ReelflowError):
    """No speech engine in the chain could narrate a text."""


class VoiceUnavailable(SpeechFailed):
    """No voice here speaks the text's language: the offline voice does not, and the network
    voice cannot be reached. Trying again at once would not help."""


class RenderFailed(ReelflowError):
    """Drawing slides or encoding the video failed."""


class StreamNotExtendable(RenderFailed):
    """The encoder's H.264 stream uses a feature the skip-frame writer cannot extend; the
    shot is then encoded frame by frame instead (slower, still correct)."""


class VerificationFailed(ReelflowError):
    """The rendered file does not match the plan or its database row."""


class Busy(ReelflowError):
    """Another run holds what this one needs (one cleanup at a time) and did not let go in
    time; nothing was changed."""


class DatabaseError(ReelflowError):
    """The database could not be reached, or failed a statement for a reason other than a rule."""


class StorageError(ReelflowError):
    """A file could not be written, moved, measured or deleted in the media root."""


class InvalidTransition(ReelflowError):
    """A job or video was asked to move to a state its lifecycle does not allow."""


class RecordInvalid(ReelflowError):
    """A record breaks one of the data model's validation rules."""


class InvalidArgument(ReelflowError):
    """A command-line argument or setting given by the user is malformed or out of range."""


class NotFound(ReelflowError):
    """A job, video or script with the given id does not exist."""


class InvalidMedia(ReelflowError):
    """An uploaded file is not a readable image, audio or video of an accepted kind."""


class TooLarge(InvalidArgument):
    """An upload or request body is larger than the configured limit."""


class AccessDenied(ReelflowError):
    """The caller's credentials do not allow this read or write."""


class NotAuthenticated(AccessDenied):
    """The request needs credentials (a bearer token or a signed URL) and has none that count."""


class ServiceUnavailable(ReelflowError):
    """A service reelflow needs for this request (the Prefect API) is not configured or down."""
