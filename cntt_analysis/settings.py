"""What round.yaml and department.yaml may hold, as pydantic models, and the Vietnamese
message for a file that does not fit (file, key, what is expected, the fix).

Every key is known (a misspelt one is an error that names the closest known key), every
value has one kind: a list is a list (``recipients: Giám đốc Sở`` is refused, not read
letter by letter), a date is a date that exists, a yes/no is true or false. The models
only check: the code that uses a file reads the checked mapping as before.
"""

from __future__ import annotations

import datetime as dt
import difflib
import types
from pathlib import Path
from typing import Annotated, Any, Optional, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, PlainValidator, ValidationError
from pydantic_core import PydanticCustomError

from cntt_analysis.errors import UsageError

ROUND_FILE = "round.yaml"
DEPARTMENT_FILE = "department.yaml"


def _text(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise PydanticCustomError("text", "một dòng chữ")
    return value


def _name(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise PydanticCustomError("name", "một tên hoặc mã (chữ, không phải danh sách hay bảng)")
    return value


def _date(value: Any) -> dt.date:
    # A quoted date ("2017-08-10") is text to YAML: refused rather than read as a date here
    # and ignored as text elsewhere.
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise PydanticCustomError("date", "một ngày dạng yyyy-mm-dd, không đặt trong dấu nháy "
                                  "và không kèm giờ (ví dụ 2017-08-10)")
    return value


def _month_day(value: Any) -> str:
    try:
        month, day = (int(x) for x in str(value).split("-"))
        dt.date(2000, month, day)  # a leap year: 02-29 is a day of some years
    except ValueError:
        raise PydanticCustomError("month_day", "tháng-ngày trong nháy kép (ví dụ \"03-31\")"
                                  ) from None
    if not isinstance(value, str):
        raise PydanticCustomError("month_day", "tháng-ngày trong nháy kép (ví dụ \"03-31\")")
    return value


def _share(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise PydanticCustomError("share", "một tỷ lệ từ 0 đến 1 (ví dụ 0.5)")
    return value


def _count(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise PydanticCustomError("count", "một số nguyên không âm (ví dụ 2)")
    return value


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise PydanticCustomError("flag", "true hoặc false")
    return value


Text = Annotated[Any, PlainValidator(_text)]
Name = Annotated[Any, PlainValidator(_name)]
Day = Annotated[Any, PlainValidator(_date)]
MonthDay = Annotated[Any, PlainValidator(_month_day)]
Share = Annotated[Any, PlainValidator(_share)]
Count = Annotated[Any, PlainValidator(_count)]
Flag = Annotated[Any, PlainValidator(_flag)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class Organisation(_Strict):
    name: Optional[Text] = None
    full: Optional[Text] = None
    short: Optional[Text] = None
    leaders: Optional[Text] = None


class Assessment(_Strict):
    name: Optional[Text] = None
    short: Optional[Text] = None
    title: Optional[Text] = None
    plan: Optional[Text] = None


class AssessedUnits(_Strict):
    name: Optional[Text] = None
    counted: Optional[Text] = None
    whole: Optional[Text] = None


class Body(_Strict):
    parent: Optional[Text] = None
    name: Optional[Text] = None
    short: Optional[Text] = None
    full: Optional[Text] = None


class Contact(_Strict):
    name: Optional[Text] = None
    role: Optional[Text] = None
    phone: Optional[Text] = None
    email: Optional[Text] = None


class Signer(_Strict):
    authority: Optional[Text] = None
    title: Optional[Text] = None
    name: Optional[Text] = None


class Document(_Strict):
    issuer: Optional[Name] = None
    symbol: Optional[Text] = None
    number: Optional[Text] = None
    date: Optional[Day] = None
    signer: Optional[Signer] = None
    recipients: Optional[list[Text]] = None
    archive: Optional[Text] = None


class Documents(_Strict):
    report: Optional[Document] = None
    notice: Optional[Document] = None
    reminder: Optional[Document] = None


class Models(_Strict):
    tiers: Optional[list[Name]] = None
    max_shortcomings: Optional[Count] = None
    max_claims_without_evidence: Optional[Count] = None


class Templates(_Strict):
    report: Optional[Name] = None
    notice: Optional[Name] = None
    reminder: Optional[Name] = None


class Overrides(_Strict):
    """The keys of department.yaml a round's round.yaml may override for its year."""

    documents: Optional[Documents] = None
    models: Optional[Models] = None
    remedy_deadline: Optional[Day] = None
    reminder_deadline: Optional[Day] = None
    contact: Optional[Contact] = None
    partial_round_share: Optional[Share] = None
    mostly_blank_share: Optional[Share] = None
    organisation: Optional[Organisation] = None
    assessment: Optional[Assessment] = None
    assessed_units: Optional[AssessedUnits] = None
    templates: Optional[Templates] = None


class DepartmentFile(Overrides):
    """data/raw/department.yaml."""

    place: Optional[Text] = None
    bodies: Optional[dict[str, Body]] = None
    remedy_deadline_next_year: Optional[MonthDay] = None


class RoundFile(Overrides):
    """data/raw/<year>/round.yaml (`deadline` is required by `load_round`, not here: the
    particulars are read from a round.yaml that may be only overrides)."""

    deadline: Optional[Day] = None
    rubric: Optional[Name] = None
    department: Optional[Text] = None
    synthetic: Optional[Flag] = None
    unit_lists: Optional[dict[str, Optional[list[Name]]]] = None
    not_ranked: Optional[list[Name]] = None
    imports: Optional[Any] = None  # checked in full by intake.imports.parse_imports
    # The inspectors' file, a path relative to the round folder (checked in full by
    # intake.rounds.load_round).
    inspection: Optional[Any] = None


EXAMPLES = {
    "list": "[Giám đốc Sở, Văn phòng Sở]",
    "dict": "{khóa: giá trị}",
}


def check(model: type[BaseModel], data: dict[str, Any], source: str | Path) -> None:
    """`data` (a file's mapping) against `model`; a `UsageError` naming `source`, the key,
    what is expected and the fix when it does not fit."""
    try:
        model.model_validate(data)
    except ValidationError as exc:
        raise UsageError(explain(exc, model, source)) from None


def explain(exc: ValidationError, model: type[BaseModel], source: str | Path) -> str:
    """The first error of `exc` in Vietnamese (one thing to fix at a time), with the
    number of other errors."""
    # A misspelt key first: it also explains a "missing" one.
    errors = sorted(exc.errors(include_url=False), key=lambda e: e["type"] != "extra_forbidden")
    first = errors[0]
    message = _one(first, model, source)
    if len(errors) > 1:
        message += f" (Còn {len(errors) - 1} lỗi khác trong tệp này; sửa lỗi này rồi chạy lại.)"
    return message


def _key(loc: tuple[Any, ...]) -> str:
    return ": ".join(str(p) for p in loc)


def _shown(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "…"


def _one(error: Any, model: type[BaseModel], source: str | Path) -> str:
    loc, kind, value = tuple(error["loc"]), error["type"], error.get("input")
    where = f"{source}: mục '{_key(loc)}'"
    if kind == "extra_forbidden":
        known = _known_keys(model, loc[:-1])
        close = difflib.get_close_matches(str(loc[-1]), known, n=1, cutoff=0.6)
        fix = (f"Có phải ý là '{close[0]}'? Sửa tên khóa" if close
               else "Xóa khóa này hoặc sửa tên")
        listed = ", ".join(known)
        return (f"{where}: khóa '{loc[-1]}' không dùng được ở đây. {fix} (các khóa dùng được"
                f"{' trong ' + repr(_key(loc[:-1])) if loc[:-1] else ''}: {listed}).")
    if kind == "list_type":
        single = (f" Một giá trị cũng ghi trong ngoặc vuông: [{_shown(value)}]."
                  if isinstance(value, str) else "")
        return (f"{where} phải là danh sách trong ngoặc vuông (ví dụ {EXAMPLES['list']}), "
                f"không phải “{_shown(value)}”.{single}")
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        known = _known_keys(model, loc)
        form = "{" + ", ".join(f"{k}: …" for k in known) + "}" if known else EXAMPLES["dict"]
        return (f"{where} phải là một bảng khóa: giá trị (dạng {form}), không phải "
                f"“{_shown(value)}”.")
    if kind == "missing":
        return f"{where}: thiếu mục này; hãy thêm vào tệp."
    expected = {"string_type": "một dòng chữ", "bool_type": "true hoặc false",
                "int_type": "một số nguyên", "float_type": "một số"}.get(kind, error["msg"])
    return f"{where} phải là {expected}, không phải “{_shown(value)}”."


def _inner(annotation: Any) -> Any:
    """The model, dict or list type inside Optional[…]/Annotated[…] (else None)."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _inner(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        for arg in get_args(annotation):
            found = _inner(arg)
            if found is not None:
                return found
        return None
    if origin in (dict, list) or (isinstance(annotation, type)
                                  and issubclass(annotation, BaseModel)):
        return annotation
    return None


def _known_keys(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The keys the model allows at `loc` (for a misspelt key: the closest of them)."""
    current: Any = model
    for part in loc:
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(str(part))
            current = None if field is None else _inner(field.annotation)
        elif get_origin(current) in (dict, list):
            current = _inner(get_args(current)[-1])
        else:
            return []
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []
