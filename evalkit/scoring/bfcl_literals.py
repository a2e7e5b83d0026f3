"""BFCL-v3's Java and JavaScript literal readers: a string argument to a Java or JavaScript function, turned into the
Python value the AST checker compares with the possible answers.

Follows ShishirPatil/gorilla @ cd9429c, berkeley-function-call-leaderboard/bfcl_eval/eval_checker/ast_eval/
type_convertor/java_type_converter.py and js_type_converter.py, and constants/type_mappings.py (JAVA_TYPE_CONVERSION,
JS_TYPE_CONVERSION), regular expressions included: a literal the reader does not recognise stays the string it was
(so the type check then fails, unless the possible answer is that string). Quirks kept as the official code has
them: a Java `char` is never read (its pattern cannot match) and keeps its quotes; elements of a Java `String[]`
keep their double quotes, those of an `ArrayList<String>` lose them; a JavaScript array of arrays reads its inner
elements without their declared type.
"""

from __future__ import annotations

import re
from typing import Any

JAVA_TYPES: dict[str, type] = {"byte": int, "short": int, "integer": int, "float": float, "double": float, "long": int,
                               "boolean": bool, "char": str, "Array": list, "ArrayList": list, "Set": set,
                               "HashMap": dict, "Hashtable": dict, "Queue": list, "Stack": list, "String": str,
                               "any": str}
JS_TYPES: dict[str, type] = {"String": str, "integer": int, "float": float, "Bigint": int, "Boolean": bool,
                             "dict": dict, "array": list, "any": str}
COLLECTIONS = ("Array", "ArrayList", "array")  # ast_checker's NESTED_CONVERSION_TYPE_LIST: read with the items' type
UNREAD_JAVA = ("Set", "Hashtable", "Queue", "Stack")  # the official converter raises NotImplementedError

JAVA_INTEGER = re.compile(r"^-?\d+$")
JAVA_FLOAT = re.compile(r"^-?\d+(\.\d+)?([eE][+-]?\d+)?[fF]$")
JAVA_DOUBLE = re.compile(r"^-?\d+(\.\d+)?([eE][+-]?\d+)?$")
JAVA_LONG = re.compile(r"^-?\d+[lL]$")
AS_LIST = re.compile(r"new\s+ArrayList<\w*>\(Arrays\.asList\((.+?)\)\)")
ADD_BLOCK = re.compile(r"new\s+ArrayList<\w*>\(\)\s*\{\{\s*(.+?)\s*\}\}", re.DOTALL)
ADD_CALL = re.compile(r"add\((.+?)\)")
EMPTY_LIST = re.compile(r"new\s+ArrayList<\w*>\(\)")
JAVA_ARRAY = re.compile(r"new\s+\w+\[\]\s*\{(.*?)\}")
PUT_BLOCK = re.compile(r"new\s+HashMap<.*?>\s*\(\)\s*\{\s*\{?\s*(.*?)\s*\}?\s*\}", re.DOTALL)
PUT_CALL = re.compile(r"put\(\"(.*?)\",\s*(.*?)\)")
EMPTY_MAP = re.compile(r"new\s+HashMap<.*?>\s*\(\)")

JS_FLOAT = re.compile(r"^-?\d+(\.\d+)?$")
JS_BIGINT = re.compile(r"^-?\d+n$")
JS_ARRAY_2D = re.compile(r"\[\s*\[.*?\]\s*(,\s*\[.*?\]\s*)*\]|\bnew\s+Array\(\s*\[.*?\]\s*(,\s*\[.*?\]\s*)*\)")
JS_ARRAY = re.compile(r"\[(.*?)\]|\bnew\s+Array\((.*?)\)")
JS_INNER_ARRAY = re.compile(r"\[(.*?)\]")
JS_OBJECT = re.compile(r"\{(.*?)\}")
JS_PAIR = re.compile(r"([^:]+):\s*(.*?)(?:,\s*(?=[^,]+:)|$)")


def _number(text: str) -> Any:
    """An int, else a float, else the text itself (Python's own int() and float(), as the official readers)."""
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return text


def _quoted(text: str, quotes: str) -> bool:
    return any(text.startswith(q) and text.endswith(q) for q in quotes)


def java_value(text: str) -> Any:
    """parse_java_value: a literal read without a declared type."""
    if text in ("true", "false"):
        return text == "true"
    if _quoted(text, '"'):
        return text[1:-1]
    if JAVA_LONG.match(text):
        return int(text[:-1])
    if JAVA_FLOAT.match(text):
        return float(re.sub(r"[fF]$", "", text))
    return _number(text)


def _java_element(text: str, nested: str | None) -> Any:
    if nested in ("char", "String"):
        return text[1:-1]
    return read_java(text, nested) if nested else java_value(text)


def _java_arraylist(text: str, nested: str | None) -> Any:
    if match := AS_LIST.search(text):
        return [_java_element(part.strip(), nested) for part in match.group(1).split(",")]
    if match := ADD_BLOCK.search(text):
        return [_java_element(part.strip(), nested) for part in ADD_CALL.findall(match.group(1))]
    return [] if EMPTY_LIST.search(text) else text


def _java_array(text: str, nested: str | None) -> Any:
    match = JAVA_ARRAY.search(text)
    if not match:
        return text
    parts = [part.strip() for part in match.group(1).split(",") if part.strip()]
    return [read_java(part, nested) if nested else java_value(part) for part in parts]


def _java_hashmap(text: str) -> Any:
    if match := PUT_BLOCK.search(text):
        puts = match.group(1)
        return {key: java_value(value.strip()) for key, value in PUT_CALL.findall(puts)} if puts.strip() else {}
    return {} if EMPTY_MAP.search(text) else text


def read_java(text: str, expected: str, nested: str | None = None) -> Any:
    """java_type_converter: the Python value of a Java literal of the declared type (nested: an array's items)."""
    if expected not in JAVA_TYPES:
        raise ValueError(f"BFCL Java type {expected!r} is not in the official type table {sorted(JAVA_TYPES)}")
    if expected in ("byte", "short", "integer"):
        return int(text) if JAVA_INTEGER.match(text) else text
    if expected == "float":
        return float(re.sub(r"[fF]$", "", text)) if JAVA_FLOAT.match(text) else text
    if expected == "double":
        return float(text) if JAVA_DOUBLE.match(text) else text
    if expected == "long":
        return int(re.sub(r"[lL]$", "", text)) if JAVA_LONG.match(text) else text
    if expected == "boolean":
        return text == "true" if text in ("true", "false") else text
    if expected == "ArrayList":
        return _java_arraylist(text, nested)
    if expected == "Array":
        return _java_array(text, nested)
    if expected == "HashMap":
        return _java_hashmap(text)
    if expected in UNREAD_JAVA:
        raise ValueError(f"BFCL Java type {expected!r}: the official converter does not read it (NotImplementedError)")
    return text  # char, String, any


def js_value(text: str) -> Any:
    """parse_js_value: a literal read without a declared type."""
    text = text.strip()
    if text in ("true", "false"):
        return text == "true"
    if _quoted(text, "\"'"):
        return text[1:-1]
    return _number(text)


def _js_array(code: str, nested: str | None) -> Any:
    try:
        if match := JS_ARRAY_2D.match(code):
            rows = []
            for index, inner in enumerate(JS_INNER_ARRAY.findall(match.group(0))):
                inner = inner.strip()
                if index == 0 and inner.startswith("["):
                    inner = inner[1:]
                rows.append([js_value(part.strip()) for part in inner.split(",")])
            return rows
        match = JS_ARRAY.match(code)
        if not match:
            return code
        body = (match.group(1) if match.group(1) is not None else match.group(2) or "").strip()
        parts = body.split(",") if body else []
        if not nested:
            return [js_value(part.strip()) for part in parts]
        return [read_js(part.strip(), nested, "String" if part.strip()[:1] in ("'", '"') else None)
                for part in parts]
    except ValueError:  # the official code returns the text on any error (an items type it cannot read)
        return code


def _js_object(code: str) -> Any:
    if code == "{}":
        return {}
    match = JS_OBJECT.match(code)
    if not match:
        return code
    result: dict[str, Any] = {}
    for key, value in JS_PAIR.findall(match.group(1)):
        key, value = key.strip().strip("'\""), value.strip()
        if value.startswith("[") and value.endswith("]"):
            result[key] = _js_array(value, None)
        elif value.startswith("{") and value.endswith("}"):
            result[key] = _js_object(value)
        else:
            result[key] = js_value(value.strip("'\""))
    return result


def read_js(text: str, expected: str, nested: str | None = None) -> Any:
    """js_type_converter: the Python value of a JavaScript literal of the declared type (nested: an array's items)."""
    if expected not in JS_TYPES:
        raise ValueError(f"BFCL JavaScript type {expected!r} is not in the official type table {sorted(JS_TYPES)}")
    if expected == "String":
        return text[1:-1] if _quoted(text, "\"'") else text
    if expected == "integer":
        return int(text) if JAVA_INTEGER.match(text) else text
    if expected == "float":
        return float(text) if JS_FLOAT.match(text) else text
    if expected == "Bigint":
        return int(text[:-1]) if JS_BIGINT.match(text) else text
    if expected == "Boolean":
        return text == "true" if text in ("true", "false") else text
    if expected == "dict":
        return _js_object(text.strip())
    if expected == "array":
        return _js_array(text.strip(), nested)
    return text  # any
