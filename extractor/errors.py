"""The project's errors and warnings. Every message names the file and the reason."""

from __future__ import annotations


class Form4Error(Exception):
    """Base of every error this package raises on purpose."""


class InputError(Form4Error):
    """An input that cannot be extracted; `str()` is one line naming the file and the reason."""

    reason = "cannot be read"

    def __init__(self, source: str, detail: str | None = None):
        self.source = source
        self.detail = detail
        super().__init__(f"{source}: {detail or self.reason}")


class EmptyInputError(InputError):
    reason = "the file is empty"


class CorruptInputError(InputError):
    reason = "the file is corrupt or truncated"


class EncryptedInputError(InputError):
    reason = "the PDF is encrypted"


class UnsupportedFormatError(InputError):
    reason = "not a PDF, image, text, HTML or XML document"


class NotAFormError(InputError):
    reason = "not an SEC Form 3, 4 or 5"


class TooLargeError(InputError):
    reason = "the input is over the size limit"


class XmlError(InputError):
    reason = "not a valid ownershipDocument"


class OcrEngineError(Form4Error):
    """Tesseract cannot run here (its language data is missing): an installation problem, not the input's."""


class ModelError(Form4Error):
    """A trained model that is missing, untrusted or unreadable."""


class Form4Warning(UserWarning):
    """A degraded but usable result."""


class ModelVersionWarning(Form4Warning):
    """A model saved with other library versions than those installed."""
