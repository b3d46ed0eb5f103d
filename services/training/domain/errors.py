"""The one base of training's domain errors: a stable code for programs, an Indonesian message for people."""


class TrainingDomainError(Exception):
    """A rule of the training domain refused something.

    `code` is stable (clients branch on it, the HTTP layer maps it); `message`
    is what a BKPSDM officer reads, in Bahasa Indonesia, naming the figures.
    """

    code: str = "pelatihan_ditolak"

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"
