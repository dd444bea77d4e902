"""Errors that stop a command; their messages are shown to users, in Vietnamese."""

from __future__ import annotations

import errno
import os
import re
from pathlib import Path


class UsageError(Exception):
    """Wrong usage or configuration (no such round, broken rubric, missing registry)."""


class ReportError(Exception):
    """A notebook of the report failed; the message names it and its failing cell."""


# The disk refused to write: full, read-only, or not ours (root ignores permissions, other
# users do not). Said in Vietnamese naming the folder, not as an OSError traceback.
DISK_ERRNOS = {errno.ENOSPC: "ổ đĩa đã đầy (hết dung lượng trống)",
               errno.EDQUOT: "đã hết hạn mức dung lượng được dùng",
               errno.EROFS: "thư mục chỉ cho đọc (ổ đĩa hoặc thư mục gắn ở chế độ chỉ đọc)",
               errno.EACCES: "không có quyền ghi vào thư mục này",
               errno.EPERM: "không có quyền ghi vào thư mục này"}
_ERRNO = re.compile(r"\[Errno (\d+)\][^:']*(?::\s*'([^']*)')?")


class DiskError(OSError):
    """Writing into `folder` failed because of the disk (`code`: an errno of DISK_ERRNOS);
    the outputs written before stay as they were (every write is atomic)."""

    def __init__(self, folder: str | Path | None, code: int) -> None:
        self.folder, self.code = (Path(folder) if folder else None), code
        where = f"thư mục {self.folder}" if self.folder else "thư mục kết quả"
        super().__init__(
            f"Không ghi được vào {where}: {DISK_ERRNOS[code]}. Các kết quả đã có vẫn giữ "
            "nguyên. Hãy giải phóng dung lượng hoặc cấp quyền ghi cho thư mục đó (hoặc chọn "
            "thư mục khác), rồi chạy lại lệnh.")
        self.errno = code  # still an OSError of its kind, for code that handles those

    def __reduce__(self):  # across processes (`report.build.isolated`) as it was made
        return (type(self), (self.folder, self.code))

    @classmethod
    def of(cls, exc: BaseException, path: str | Path | None = None) -> DiskError | None:
        """The disk error `exc` is (None when it is another error). `path`: the file that
        was being written, when the error does not name it."""
        if isinstance(exc, DiskError):
            return exc
        if not isinstance(exc, OSError) or exc.errno not in DISK_ERRNOS:
            return None
        named = path or exc.filename
        return cls(_folder_of(named) if named else None, exc.errno)

    @classmethod
    def from_text(cls, text: str) -> DiskError | None:
        """The disk error an error's text tells ("[Errno 28] No space left on device:
        '/path'"), e.g. from a notebook that failed in its kernel."""
        found = _ERRNO.search(text)
        if not found or int(found.group(1)) not in DISK_ERRNOS:
            return None
        named = found.group(2)
        return cls(_folder_of(named) if named else None, int(found.group(1)))


def _folder_of(path: str | Path) -> Path:
    """The folder that refused a write of `path`: the nearest existing folder holding it
    (the path itself when it is a folder)."""
    path = Path(os.fsdecode(path))
    while not path.is_dir() and path != path.parent:
        path = path.parent
    return path
