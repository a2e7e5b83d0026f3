"""LiveBench's data-analysis graders (LiveBench/LiveBench @ f3501c7, livebench/process_results/data_analysis/
{cta,tablejoin,tablereformat}/utils.py): column-type annotation, join mapping (F1, rounded to 0.01) and table
reformatting (1 if the model's table, read by pandas in the target format, equals the gold table cell by cell).

Where the official code would stop with an error on an unreadable answer (a `\\boxed` it cannot unwrap), the
question scores 0 here.
"""

from __future__ import annotations

import ast
import json
import math
import re
from io import StringIO
from typing import Any

from evalkit.scoring.livebench_boxes import last_boxed, unboxed


def _letters_only(text: str) -> str:
    return re.sub(r"[^\w]", "", text.lower().strip())


def cta(truth: str, answer: str) -> float:
    """Column type: the last boxed text (\\text{ and braces removed) or the answer, letters and digits only,
    equal to the gold or ending with it."""
    parsed = answer
    if "\\boxed{" in answer:
        boxed = last_boxed(answer)
        content = unboxed(boxed) if boxed else None
        if content is None:
            return 0.0
        parsed = content.replace("\\text{", "").replace("}", "").replace("\\", "")
    gold, given = _letters_only(truth), _letters_only(parsed)
    return float(gold == given or gold == given[-len(gold):])


UNREADABLE = object()


def _literal(text: str) -> Any:
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return UNREADABLE


def join_mapping(answer: str) -> dict[Any, Any]:
    """tablejoin clean_llm_output: the answer as a Python literal, else the last ```python / ``` block (newlines
    removed), else the last box (\\text{'x'} -> 'x', backslashes removed), else the whole answer; "null" read as
    None; a dict with its None values dropped, or {}."""
    parsed = _literal(answer)
    if parsed is UNREADABLE:
        flat = answer.replace("\n", "")
        blocks = re.findall("```python(.*?)```", flat) or re.findall("```(.*?)```", flat)
        if not blocks and "\\boxed" in answer:
            boxed = last_boxed(flat)
            content = unboxed(boxed) if boxed else None
            if content is not None:
                blocks = [re.sub(r"\\text{['|\"](.*?)['|\"]}", r"'\1'", content).replace("\\", "")]
        parsed = _literal((blocks or [answer])[-1].replace("null", "None"))
    if not isinstance(parsed, dict):
        return {}
    return {key: value for key, value in parsed.items() if value is not None}


def tablejoin(truth: str, answer: str) -> float:
    """F1 of the column mapping: a pair is right when the gold maps the key to the same value; a key the gold
    lacks (or maps to nothing) is a false positive; a gold key the answer misses is a false negative."""
    import numpy as np

    gold = truth if isinstance(truth, dict) else ast.literal_eval(truth)
    given = join_mapping(answer)
    if not given:
        return 0.0
    tp = fp = fn = 0
    for key, value in given.items():
        expected = gold.get(key)
        if not expected:
            fp += 1
        elif expected == value:
            tp += 1
        else:
            fp, fn = fp + 1, fn + 1
    fn += sum(1 for key in gold if not given.get(key))
    return float(np.round(2 * tp / (2 * tp + fp + fn), 2))


def read_table(table_format: str, text: str) -> Any:
    """tablereformat read_df_func: pandas' reader for the format (JSON tried in five orientations)."""
    import pandas as pd

    source = StringIO(text)
    if table_format == "json":
        orientations = ({"orient": "index"}, {"orient": "records", "lines": False},
                        {"orient": "records", "lines": True}, {"orient": "table"})
        for options in orientations:
            try:
                return pd.read_json(StringIO(text), encoding="utf-8", **options)
            except Exception:  # noqa: BLE001 - the official reader tries the next orientation on any error
                continue
        return pd.read_json(source, orient="values", encoding="utf-8")
    if table_format == "jsonl":
        return pd.read_json(source, orient="records", lines=True, encoding="utf-8")
    if table_format == "html":
        return pd.concat(pd.read_html(source, encoding="utf-8"), axis=0)
    if table_format == "csv":
        return pd.read_csv(source, encoding="utf-8")
    if table_format == "markdown":
        return pd.read_table(source, sep="|", header=0, index_col=1, skipinitialspace=True)
    if table_format == "tsv":
        return pd.read_csv(source, sep="\t", encoding="utf-8")
    return None  # the official reader returns nothing for another format


def _table_text(answer: str) -> str:
    """The last ```json or ```html block, else the answer without fences and "&amp;"; a leading "Here is the
    ... table:" phrase removed."""
    for fence in ("json", "html"):
        blocks = re.findall(rf"```{fence}\n(.*?)```", answer, re.DOTALL)
        if blocks:
            text = blocks[-1].strip()
            break
    else:
        text = re.sub(r"^```.*\n", "", answer).replace("&amp;", "&").replace("```", "").strip()
    return re.sub(r"^\s*(Here|Input)\b.*?\b(format|table)\s*[:)]\s*", "", text, flags=re.IGNORECASE).strip()


def _table_after_header(text: str, header: str, sep: str) -> Any:
    """The rows from the line equal to the header on, dropping trailing lines until pandas reads them."""
    import pandas as pd

    lines = text.strip().split("\n")
    start = next((i for i, line in enumerate(lines) if line.strip() == header.strip()), None)
    if start is None:
        return None
    table = lines[start:]
    while table:  # the header line alone always reads (as an empty table), so this ends
        try:
            return pd.read_csv(StringIO("\n".join(table)), sep=sep)
        except Exception:  # noqa: BLE001 - the official loop drops the last line on any reading error
            table = table[:-1]
    return None


def _json_lines(text: str, columns: Any) -> Any:
    import pandas as pd

    rows = []
    for line in text.strip().split("\n"):
        if len(line) < 2 or line[0] != "{" or line[-1] != "}" or not all(key in line for key in columns):
            continue
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return pd.DataFrame(rows) if rows else None


def _fallback_table(table_format: str, text: str, gold: Any, tsv_too: bool) -> Any:
    if table_format == "csv" or (tsv_too and table_format == "tsv"):
        sep = "\t" if table_format == "tsv" else ","
        return _table_after_header(text, sep.join(gold.columns), sep)
    if table_format == "jsonl":
        return _json_lines(text, gold.columns)
    return None


def _cells_equal(mine: Any, gold: Any) -> bool:
    import pandas as pd

    is_numeric_dtype = pd.api.types.is_numeric_dtype
    gold.columns = [c.strip() for c in gold.columns]  # a non-text column name raises: unequal, as officially
    mine.columns = [c.strip() for c in mine.columns]
    if len(mine) != len(gold) or sorted(mine.columns) != sorted(gold.columns):
        return False
    for i in range(len(mine)):
        for key in mine.columns:
            given, expected = mine.iloc[i][key], gold.iloc[i][key]
            given = given.strip() if isinstance(given, str) else given
            expected = expected.strip() if isinstance(expected, str) else expected
            if (isinstance(given, float) or is_numeric_dtype(given)) and (
                    isinstance(expected, float) or is_numeric_dtype(expected)):
                try:
                    given, expected = float(given), float(expected)
                except (TypeError, ValueError):
                    if str(given).strip() != str(expected).strip():
                        return False
                    continue
                if not (math.isnan(given) and math.isnan(expected)) and not abs(given - expected) < 1e-6:
                    return False
            elif not given == expected:
                return False
    return True


def tables_equal(mine: Any, gold: Any) -> bool:
    """check_table_reformat: any error while comparing counts as unequal."""
    try:
        return _cells_equal(mine, gold)
    except Exception:  # noqa: BLE001 - the official check scores any error 0
        return False


def table_format(question: str) -> str:
    """The target format named by "Please convert the Input Table from X format to Y format"."""
    return question.split("Please convert the Input Table from ")[1].split("format to ")[1].split(" format")[0].lower()


def tablereformat(target: str, truth: str, answer: str) -> float:
    gold = read_table(target, truth)
    text = _table_text(answer)
    try:
        mine = read_table(target, text)
    except Exception:  # noqa: BLE001 - the official grader falls back to searching the text on any reading error
        mine = _fallback_table(target, text, gold, tsv_too=True)
        if mine is None:
            return 0.0
    if tables_equal(mine, gold):
        return 1.0
    retry = _fallback_table(target, text, gold, tsv_too=False)
    return float(retry is not None and tables_equal(retry, gold))
