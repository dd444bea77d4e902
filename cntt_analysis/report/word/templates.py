"""The Word templates a clerk edits in Word (docxtpl: Jinja tags in a .docx), filled with
the fields of `context`.

Which template a document uses, first found:

1. ``templates: {report: …, notice: …, reminder: …}`` in department.yaml (or a round's
   round.yaml): a path relative to ``data/raw``, inside it;
2. ``data/raw/mau-van-ban/bao-cao.docx`` (report), ``thong-bao.docx`` (notice),
   ``don-doc.docx`` (reminder);
3. the default shipped in the package (``report/word/mau/``).

``cntt document-templates`` copies the defaults to ``data/raw/mau-van-ban/`` with a guide
(``huong-dan.docx``) listing every field in Vietnamese. A template is filled in a sandbox
with every value escaped: a unit named "{{ x }}", "<w:t>" or "=cmd|…" prints as typed. A
template a clerk broke (an unknown field, a tag left open) is a Vietnamese error naming the
file and the problem.
"""

from __future__ import annotations

import difflib
import hashlib
import io
import re
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from docx.document import Document as DocumentObject
from docxtpl import DocxTemplate
from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, UndefinedError
from jinja2.sandbox import SandboxedEnvironment, SecurityError

from cntt_analysis.errors import UsageError
from cntt_analysis.report.word import context as fields
from cntt_analysis.report.word import docx_format as fmt
from cntt_analysis.report.word.template_files import (  # noqa: F401  (re-exported)
    FILES,
    FOLDER,
    default_template,
    template_path,
    templates_digest,
)
from cntt_analysis.text import printable

GUIDE = "huong-dan.docx"
KIND_NAMES = {"report": "báo cáo kết quả", "notice": "thông báo kết quả",
              "reminder": "công văn đôn đốc"}


# ----------------------------------------------------------------------------- filling


class _Template(DocxTemplate):
    """docxtpl as is, except that filled text is never changed afterwards: docxtpl turns
    "{_{" into "{{" in the output (a way to write literal tags), which would alter a unit's
    name that contains it. Patched XML and compiled Jinja templates are kept per source
    (one template fills every unit's notice)."""

    _compiled: dict[tuple[int, str], Any] = {}
    _patched: dict[str, str] = {}

    def patch_xml(self, src_xml):
        # docxtpl's clean-up of the tags is a function of the XML alone, and one template
        # fills every unit's notice: done once per source (16 ms a notice otherwise).
        return _kept(self._patched, _digest(src_xml),
                     lambda: super(_Template, self).patch_xml(src_xml))

    def render_xml_part(self, src_xml, part, context, jinja_env=None):
        src_xml = re.sub(r"<w:p([ >])", r"\n<w:p\1", src_xml)
        template = _kept(self._compiled, (id(jinja_env), _digest(src_xml)),
                         lambda: jinja_env.from_string(src_xml))
        dst_xml = template.render(context)
        dst_xml = re.sub(r"\n<w:p([ >])", r"<w:p\1", dst_xml)
        return self.resolve_listing(dst_xml)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _kept(store: dict, key: Any, make: Callable[[], Any]) -> Any:
    """What `make` gives, made once per `key` and kept in `store` (at most 65 keys: a run
    fills a handful of templates)."""
    found = store.get(key)
    if found is None:
        found = make()
        if len(store) > 64:
            store.clear()
        store[key] = found
    return found


_ENV = SandboxedEnvironment(undefined=StrictUndefined, autoescape=True)


def _clean(value: Any) -> Any:
    """Every text of a context as plain text XML can hold (control characters dropped)."""
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, Mapping):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


def _open(path: Path, data: bytes) -> _Template:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if "word/document.xml" not in archive.namelist():
                raise zipfile.BadZipFile
        tpl = _Template(io.BytesIO(data))
        tpl.init_docx()
        return tpl
    except Exception:  # whatever python-docx meets in a file that is not a Word document
        raise UsageError(f"Mẫu văn bản {path}: không mở được (không phải tệp Word .docx hợp "
                         "lệ; mở bằng Word rồi lưu lại dạng .docx).") from None


_MESSAGES = [  # Jinja's messages, said for a clerk
    (r"(?s)unexpected end of template.*needs to be closed is '(\w+)'",
     "thiếu thẻ đóng {{% end{0} %}} (một thẻ {{% {0} %}} chưa được đóng)"),
    (r"Encountered unknown tag '(\w+)'", "thẻ {{% {0} %}} không hợp lệ"),
    (r"unexpected '(.+)'", "ký tự “{0}” không đúng chỗ"),
    (r"expected token '(.+)', got '(.+)'", "cần “{0}” nhưng gặp “{1}”"),
]


def _said(message: str) -> str:
    message = message.rstrip(".")
    for pattern, said in _MESSAGES:
        found = re.search(pattern, message, re.IGNORECASE)
        if found:
            return f"{said.format(*found.groups())} ({message})"
    return message


_TAG = re.compile(r"\{\{|\}\}|\{%|%\}|\{#|#\}")
_CLOSES = {"{{": "}}", "{%": "%}", "{#": "#}"}


def _unclosed(paragraph: str) -> str | None:
    """The tag left open or closed without an opening in one paragraph's text, if any (a
    tag never spans paragraphs: docxtpl would silently drop the text in between)."""
    expected = None
    for found in _TAG.finditer(paragraph):
        tag = found.group(0)
        if tag in _CLOSES:
            if expected is not None:
                return expected
            expected = _CLOSES[tag]
        elif tag == expected:
            expected = None
        else:
            return tag
    return expected


def _check_tags(path: Path, tpl: _Template) -> None:
    """Every {{ … }}, {% … %} and {# … #} opens and closes within one paragraph."""
    from docx.oxml.ns import qn

    parts = [tpl.docx.element.body]
    for section in tpl.docx.sections:
        for part in (section.header, section.first_page_header, section.even_page_header,
                     section.footer, section.first_page_footer, section.even_page_footer):
            if not part.is_linked_to_previous:
                parts.append(part._element)
    for part in parts:
        for paragraph in part.iter(qn("w:p")):
            text = "".join(t.text or "" for t in paragraph.iter(qn("w:t")))
            tag = _unclosed(text)
            if tag is not None:
                what = (f"thiếu “{tag}”" if tag in _CLOSES.values()
                        else f"thẻ “{tag}” không đúng chỗ")
                raise UsageError(f"Mẫu văn bản {path} có lỗi cú pháp ở đoạn “{text[:120]}”: "
                                 f"{what}. Mỗi {{{{ … }}}} và {{% … %}} phải nằm trọn trong một "
                                 "đoạn, đủ cặp ngoặc.")


def _near(exc: Exception) -> str:
    lines = [" ".join(line.split()) for line in getattr(exc, "docx_context", []) or []]
    text = " ".join(line for line in lines if line)
    return f" gần đoạn “{text[:160]}”" if text else ""


_CHECKED: set[tuple[str, frozenset[str]]] = set()


def _sources(tpl: _Template) -> list[str]:
    """The Jinja source of the body and of each header and footer, as docxtpl fills them
    (one line per paragraph)."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.oxml import parse_xml

    xmls = [tpl.get_xml()]
    for rel in tpl.docx.part.rels.values():
        if rel.reltype in (RT.HEADER, RT.FOOTER) and rel.target_part.blob:
            xmls.append(tpl.xml_to_string(parse_xml(rel.target_part.blob)))
    return [re.sub(r"<w:p([ >])", r"\n<w:p\1", tpl.patch_xml(xml)) for xml in xmls]


def _unknown(path: Path, tpl: _Template, context: Mapping[str, Any], kind: str,
             digest: str) -> None:
    """The template must parse, and every field it names must be one `context` gives
    (checked once per template and set of fields)."""
    from jinja2 import meta

    key = (digest, frozenset(context))
    if key in _CHECKED:
        return
    named: set[str] = set()
    for source in _sources(tpl):
        try:
            named |= meta.find_undeclared_variables(_ENV.parse(source))
        except TemplateSyntaxError as exc:
            lines = source.splitlines()
            line = lines[exc.lineno - 1] if exc.lineno and exc.lineno <= len(lines) else ""
            near = " ".join(re.sub(r"<[^>]+>", "", line).split())
            at_end = "end of template" in (exc.message or "")  # the line would be the last
            where = f" ở đoạn “{near[:120]}”" if near and not at_end else ""
            raise UsageError(f"Mẫu văn bản {path} có lỗi cú pháp{where}: "
                             f"{_said(exc.message or '')}. Mỗi {{{{ … }}}} và {{% … %}} phải "
                             "đủ cặp ngoặc; mỗi {% if %}, {% for %} phải có thẻ đóng.") from None
    unknown = sorted(named - set(context))
    if unknown:
        hints = []
        for name in unknown:
            close = difflib.get_close_matches(name, list(context), n=1)
            hints.append(f"{{{{ {name} }}}}" + (f" (có phải “{close[0]}”?)" if close else ""))
        raise UsageError(f"Mẫu văn bản {path} dùng trường không có: {', '.join(hints)}. Các "
                         f"trường dùng được trong mẫu {KIND_NAMES[kind]}: xem {GUIDE} "
                         "(lệnh cntt document-templates) hoặc README, mục “Mẫu văn bản”.")
    _CHECKED.add(key)


def render(path: str | Path, context: Mapping[str, Any], kind: str,
           data: bytes | None = None) -> DocumentObject:
    """The template at `path` (its bytes `data` when already read) filled with `context`;
    lines and tables sized to what was filled in. A broken template is a UsageError naming
    the file."""
    path = Path(path)
    data = path.read_bytes() if data is None else data
    tpl = _open(path, data)
    _check_tags(path, tpl)
    values = _clean(dict(context))
    _unknown(path, tpl, values, kind, hashlib.sha256(data).hexdigest())
    try:
        tpl.render(values, _ENV)
    except TemplateSyntaxError as exc:
        raise UsageError(f"Mẫu văn bản {path} có lỗi cú pháp{_near(exc)}: "
                         f"{_said(exc.message or '')}.") from None
    except UndefinedError as exc:
        field = re.search(r"has no attribute '([^']+)'", exc.message or "")
        what = f"“{field.group(1)}”" if field else (exc.message or "")
        raise UsageError(f"Mẫu văn bản {path} dùng trường không có: {what}. Các trường dùng "
                         f"được: xem {GUIDE} (lệnh cntt document-templates).") from None
    except SecurityError as exc:
        raise UsageError(f"Mẫu văn bản {path} dùng lệnh không được phép: {exc}.") from None
    except (TemplateError, TypeError, ValueError, KeyError, IndexError) as exc:
        raise UsageError(f"Mẫu văn bản {path} không điền được: {exc}.") from None
    doc = tpl.docx
    fmt.fit_rules(doc)
    fmt.fit_tables(doc)
    return doc


# ----------------------------------------------------------------------------- for a clerk


def guide_document() -> DocumentObject:
    """The clerk's guide: how to edit a template and every field each one receives."""
    from docx.shared import Pt

    doc = fmt.new_document("Hướng dẫn sửa mẫu văn bản", "", False)
    fmt.title(doc, "Hướng dẫn", "Sửa mẫu văn bản (báo cáo, thông báo, công văn đôn đốc)")
    for line in GUIDE_TEXT:
        fmt.body(doc, line)
    for heading, rows in field_groups():
        fmt.body(doc, heading, bold=True)
        fmt.data_table(doc, ["Trường", "Ý nghĩa"], [[_written(n), m] for n, m in rows],
                       [62, 103], "ll")
    for paragraph in doc.paragraphs:
        paragraph.paragraph_format.space_before = Pt(3)
    return doc


def field_groups() -> list[tuple[str, list[tuple[str, str]]]]:
    """The fields as a clerk reads them: those of every template, then each template's."""
    own = {"report": fields.REPORT_FIELDS, "notice": fields.NOTICE_FIELDS,
           "reminder": fields.REMINDER_FIELDS}
    return [("Trường dùng được trong mọi mẫu", fields.COMMON_FIELDS),
            *((f"Trường riêng của mẫu {KIND_NAMES[kind]} ({FILES[kind]})", rows)
              for kind, rows in own.items())]


def _written(name: str) -> str:
    """How a field is written in a template: "{{ co_quan.ten }}"; a list as its loop."""
    if name.endswith("[]"):
        return f"{name[:-2]} (danh sách)"
    return f"{{{{ {name} }}}}"


GUIDE_TEXT = [
    "Mỗi văn bản được soạn từ một mẫu Word. Sửa câu chữ, định dạng ngay trong Word; các chỗ "
    "trong ngoặc {{ … }} được thay bằng số liệu khi soạn (ví dụ {{ co_quan.ten }} thành tên "
    "cơ quan), các dòng {%p if … %} … {%p endif %} giữ hoặc bỏ một đoạn, {%p for … %} … "
    "{%p endfor %} lặp một đoạn, {%tr for … %} … {%tr endfor %} lặp một dòng của bảng, "
    "{%tc for … %} lặp một cột.",
    "Sao chép mẫu mặc định bằng lệnh cntt document-templates (vào thư mục data/raw/"
    f"{FOLDER}/), sửa tệp {FILES['report']}, {FILES['notice']} hoặc {FILES['reminder']} "
    "trong thư mục đó rồi chạy lại cntt documents. Muốn dùng tệp ở chỗ khác trong data/raw, "
    "ghi vào department.yaml: templates: {notice: mau-van-ban/thong-bao-2025.docx}. Xóa tệp "
    "đã sửa thì chương trình dùng lại mẫu mặc định.",
    "Không sửa chữ bên trong ngoặc {{ … }} và {% … %} trừ khi đổi sang một trường khác trong "
    "các bảng dưới đây. Số liệu đã được định dạng sẵn (75,90; 55,7%; ngày 31 tháng 3 năm "
    "2026), mẫu không tính toán. Nếu mẫu có lỗi, lệnh cntt documents báo tên tệp và chỗ sai.",
    "Trong một vòng lặp, mỗi phần tử được gọi bằng tên đặt sau chữ for. Ví dụ mẫu báo cáo "
    "lặp các khối bằng {%p for k in khoi %} rồi dùng {{ k.ten }}; trong đó bảng xếp hạng lặp "
    "từng dòng bằng {%tr for d in k.dong %} rồi dùng {{ d.diem }}, {{ d.don_vi }}… Trong "
    "bảng dưới đây, khoi[].dong[].diem là trường diem của mỗi dòng trong mỗi khối.",
]


def write_templates_for_editing(raw_dir: str | Path, force: bool = False
                                ) -> tuple[list[Path], list[Path]]:
    """Copy the default templates and the guide to ``data/raw/mau-van-ban/``: (written,
    kept) — a template already there is kept unless `force`."""
    from cntt_analysis.storage import write_bytes

    folder = Path(raw_dir) / FOLDER
    written, kept = [], []
    for kind, name in FILES.items():
        target = folder / name
        if target.exists() and not force:
            kept.append(target)
            continue
        written.append(write_bytes(default_template(kind).read_bytes(), target))
    written.append(fmt.save(guide_document(), folder / GUIDE))
    return written, kept


def fields_markdown() -> str:
    """The fields of every template as Markdown tables (the README's section)."""
    parts = []
    for heading, rows in field_groups():
        parts.append(f"**{heading}**\n\n| trường | ý nghĩa |\n|---|---|")
        parts += [f"| `{n}` | {m.replace('|', '/')} |" for n, m in rows]
        parts.append("")
    return "\n".join(parts)
