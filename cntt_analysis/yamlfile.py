"""The one way the package reads a YAML file a person wrote (round.yaml, department.yaml,
a rubric): bounded and strict, with a Vietnamese message naming the file and the line.

A clerk's file needs no YAML aliases (``*name``), so they are refused altogether: a few
hundred bytes of nested aliases otherwise expand into gigabytes once the values are copied.
Also refused: files over `MAX_BYTES`, nesting deeper than `MAX_DEPTH`, a key given twice
(YAML keeps the last one silently), dates that do not exist (``2017-02-30``, a ValueError
inside PyYAML), text that is not UTF-8, and a path that is not a regular file.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode

from cntt_analysis.errors import UsageError

MAX_BYTES = 1 << 20  # the largest shipped rubric is ~60 kB
MAX_DEPTH = 40
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


class _Refused(yaml.YAMLError):
    """A construct the loader refuses; `mark` is where it is."""

    def __init__(self, message: str, mark: Any) -> None:
        super().__init__(message)
        self.message = message
        self.mark = mark


class _Strict:
    """What both loaders refuse while they construct: a key given twice (or not a plain
    value), a date that does not exist."""

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _value in node.value:
            key = self.construct_object(key_node, deep=True)  # type: ignore[attr-defined]
            try:
                duplicate = key in seen
                seen.add(key)
            except TypeError:
                raise _Refused("khóa phải là một chữ hoặc số, không phải danh sách hay bảng",
                               key_node.start_mark) from None
            if duplicate:
                raise _Refused(f"khóa '{key}' được ghi hai lần (chỉ giữ một)",
                               key_node.start_mark)
        return super().construct_mapping(node, deep=deep)  # type: ignore[misc]


class _StrictLoader(_Strict, yaml.SafeLoader):
    """SafeLoader without aliases, without duplicate keys, with a depth bound and with
    impossible dates reported where they are."""

    _depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise _Refused("dùng bí danh YAML (*tên); hãy viết lại giá trị đầy đủ thay cho "
                           "bí danh (tệp cấu hình không dùng &tên/*tên)", event.start_mark)
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _Refused(f"lồng nhau quá {MAX_DEPTH} cấp", self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _timestamp(loader: yaml.SafeLoader, node: ScalarNode) -> dt.date | dt.datetime:
    try:
        return loader.construct_yaml_timestamp(node)
    except (ValueError, OverflowError):
        raise _Refused(f"ngày “{node.value}” không có thật (kiểm tra tháng và ngày, dạng "
                       "yyyy-mm-dd)", node.start_mark) from None


_StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)

_FAST = getattr(yaml, "__with_libyaml__", False)
if _FAST:
    class _FastLoader(_Strict, yaml.CSafeLoader):
        """The strict constructor over libyaml's parser and composer (10× faster)."""

    _FastLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)


def _load_fast(text: str) -> tuple[bool, Any]:
    """(True, the document) when libyaml reads `text` and it is plainly acceptable: no
    alias, nesting well within `MAX_DEPTH` (checked on libyaml's events first, so that the
    composer, which recurses, never meets a deep file), no refused construct. Anything
    else is (False, None), for the strict loader to read again and name what and where."""
    if not _FAST:
        return False, None
    depth = 0
    try:
        for event in yaml.parse(text, Loader=yaml.CSafeLoader):
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth >= MAX_DEPTH - 1:
                    return False, None
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
            elif isinstance(event, yaml.AliasEvent):
                return False, None
        return True, yaml.load(text, Loader=_FastLoader)  # noqa: S506 - CSafeLoader
    except (yaml.YAMLError, ValueError, OverflowError, RecursionError, TypeError):
        return False, None


def check_name(path: Path, what: str) -> None:
    """A file or folder name with control characters (a line break, a tab pasted in) is
    refused: it cannot be shown or typed back, and lines in messages would break."""
    if _CONTROL.search(str(path)):
        shown = str(path).encode("unicode_escape").decode("ascii")
        raise UsageError(f"{what} “{shown}” có ký tự điều khiển (xuống dòng, tab…) trong tên: "
                         "đổi tên cho chỉ còn chữ, số, dấu cách và dấu câu.")


def read_text(path: Path, what: str) -> str:
    """The text of a configuration file, checked: a regular file, within `MAX_BYTES`,
    UTF-8. `what` names it for the user ("tệp cấu hình đợt đánh giá")."""
    check_name(path, what)
    if path.is_dir():
        raise UsageError(f"{path}: {what} là một thư mục, không phải tệp; xóa hoặc đổi tên thư "
                         "mục đó và tạo tệp văn bản cùng tên.")
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise UsageError(f"{path}: {what} không phải tệp thông thường.")
        if size > MAX_BYTES:
            raise UsageError(f"{path}: {what} quá lớn ({size:,} byte; tối đa {MAX_BYTES:,}). "
                             "Kiểm tra lại: tệp cấu hình chỉ gồm vài trang chữ.")
        data = path.read_bytes()[:MAX_BYTES + 1]
    except FileNotFoundError:
        raise UsageError(f"{path}: không có {what}.") from None
    except OSError as exc:
        raise UsageError(f"{path}: không đọc được {what} ({exc.strerror}).") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise UsageError(f"{path}, dòng {line}: {what} không phải văn bản UTF-8; lưu lại tệp với "
                         "bảng mã UTF-8 (trong Notepad: Lưu thành… → Mã hóa UTF-8).") from None


def parse(text: str, source: str | Path) -> Any:
    """`text` parsed by the strict loader; a YAML error names `source` and the line."""
    if len(text) > MAX_BYTES:
        raise UsageError(f"{source}: tệp quá lớn (tối đa {MAX_BYTES:,} ký tự).")
    # Composed (NFC) like every other text the package reads: a name typed with combining
    # marks would not match the same name precomposed, nor draw cleanly in a chart.
    text = unicodedata.normalize("NFC", text)
    # libyaml reads an acceptable file; the strict Python loader reads it again when not,
    # for the message (the line and column of what it refuses).
    done, data = _load_fast(text)
    if done:
        return data
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except _Refused as exc:
        raise UsageError(f"{source}{_at(exc.mark)}: {exc.message}.") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "cú pháp không hợp lệ"
        raise UsageError(f"{source}: tệp YAML không đọc được{_at(mark)}: sai cú pháp "
                         f"({problem}). Kiểm tra thụt lề, "
                         "dấu “:” sau mỗi khóa và các dấu ngoặc, dấu nháy ở dòng đó; giá trị "
                         "có dấu “:” hay “#” thì đặt trong nháy kép.") from None
    except yaml.YAMLError as exc:
        raise UsageError(f"{source}: tệp YAML không đọc được ({exc}).") from None
    except RecursionError:
        raise UsageError(f"{source}: lồng nhau quá sâu.") from None


def _at(mark: Any) -> str:
    return "" if mark is None else f", dòng {mark.line + 1}, cột {mark.column + 1}"


def read_yaml(path: str | Path, what: str = "tệp cấu hình") -> Any:
    """A YAML file read strictly (see the module docstring); None for an empty file."""
    path = Path(path)
    return parse(read_text(path, what), path)


def read_mapping(path: str | Path, what: str, example: str) -> dict[str, Any]:
    """A YAML file that must hold key: value pairs (an empty file is an empty mapping)."""
    data = read_yaml(path, what)
    if data is None:
        return {}
    if not isinstance(data, dict):
        kind = "danh sách" if isinstance(data, list) else "một giá trị đơn"
        raise UsageError(f"{path}: {what} phải gồm các cặp khóa: giá trị (ví dụ {example}), "
                         f"không phải {kind}.")
    bad = [k for k in data if not isinstance(k, str)]
    if bad:
        raise UsageError(f"{path}: khóa “{bad[0]}” phải là chữ (tên mục), không phải số hay "
                         "ngày.")
    return data
