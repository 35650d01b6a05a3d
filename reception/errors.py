"""The one error a business rule raises when it refuses an operation, in every app."""


class RuleError(Exception):
    """A business rule refused the operation; `message` is shown to the user as it is."""

    def __init__(self, message: object) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)
