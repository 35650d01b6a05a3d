"""Storage for files only a view may hand out (the export jobs' files): a folder the web server
never serves, and no URL at all, so no template or admin page can link to one by mistake."""

from django.core.files.storage import FileSystemStorage


class PrivateStorage(FileSystemStorage):
    def url(self, name: str | None) -> str:
        raise ValueError("A private file has no URL: a view serves it to whoever may read it.")
