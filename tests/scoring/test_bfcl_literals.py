"""BFCL-v3's Java and JavaScript literal readers against the official converters' own expectations
(gorilla @ cd9429c, java_type_converter.py's and js_type_converter.py's test functions) and their quirks, each
read off the official code."""

from __future__ import annotations

import pytest

from evalkit.scoring.bfcl_literals import read_java, read_js


@pytest.mark.parametrize(("text", "declared", "nested", "value"), [
    ("true", "boolean", None, True), ("-123", "integer", None, -123), ("-3.14f", "float", None, -3.14),
    ("3e-3F", "float", None, 3e-3), ("3.14e2", "double", None, 314.0), ("-123L", "long", None, -123),
    ("127", "byte", None, 127), ("-32768", "short", None, -32768), ("123", "any", None, "123"),
    ("new int[]{1, 2, 3}", "Array", None, [1, 2, 3]), ("new int[] { }", "Array", None, []),
    ('new ArrayList<>(Arrays.asList("a", "b"))', "ArrayList", None, ["a", "b"]),
    ("new ArrayList<>()", "ArrayList", None, []),
    ('new Object[]{1, "abc", true}', "Array", None, [1, "abc", True]),
    ('new HashMap<String, Object>() {{ put("key1", 1); put("key2", "value"); put("key3", true); }}', "HashMap", None,
     {"key1": 1, "key2": "value", "key3": True}),
    ("new HashMap<>() {{ }}", "HashMap", None, {}), ("new HashMap<>()", "HashMap", None, {}),
    ("new long[]{1L, 2, 3L}", "Array", "long", [1, "2", 3]),
    ("new ArrayList<Float>() {{ add(1.0f); add(2.0f); }}", "ArrayList", "float", [1.0, 2.0]),
    ("new ArrayList<Character>() {{ add('a'); add('b'); }}", "ArrayList", "char", ["a", "b"]),
    ("new ArrayList<Integer>(Arrays.asList(1, 2, 3))", "ArrayList", "integer", [1, 2, 3]),
])
def test_java_literals_as_the_official_tests_expect(text, declared, nested, value):
    assert read_java(text, declared, nested) == value


def test_java_quirks_kept():
    assert read_java("'a'", "char") == "'a'"  # the char pattern cannot match: the quotes stay
    assert read_java('new String[]{"a", "b"}', "Array", "String") == ['"a"', '"b"']  # String[] keeps its quotes
    assert read_java('new ArrayList<String>(Arrays.asList("a", "b"))', "ArrayList", "String") == ["a", "b"]
    assert read_java("3.14", "float") == "3.14"  # no f suffix: not a float literal, left as text
    assert read_java("100", "long") == "100"
    assert read_java("True", "boolean") == "True"
    with pytest.raises(ValueError, match="does not read it"):
        read_java("x", "Stack")
    with pytest.raises(ValueError, match="not in the official type table"):
        read_java("x", "Deque")


@pytest.mark.parametrize(("text", "declared", "nested", "value"), [
    ("true", "Boolean", None, True), ("-123", "integer", None, -123), ("-3.14", "float", None, -3.14),
    ("123n", "Bigint", None, 123), ("abc", "String", None, "abc"), ("'abc'", "String", None, "abc"),
    ("[1, 2, 3]", "array", None, [1, 2, 3]), ("new Array(1, 2, 3)", "array", None, [1, 2, 3]),
    ("{'key': 'value'}", "dict", None, {"key": "value"}), ("{'key': true}", "dict", None, {"key": True}),
    ("[]", "array", None, []), ("{}", "dict", None, {}), ("[1, 'two', true]", "array", None, [1, "two", True]),
    ("{'key1': 123, 'key2': 'value', 'key3': false}", "dict", None, {"key1": 123, "key2": "value", "key3": False}),
])
def test_js_literals_as_the_official_tests_expect(text, declared, nested, value):
    assert read_js(text, declared, nested) == value


def test_js_quirks_kept():
    assert read_js("[1, 2.5]", "array", "float") == [1.0, 2.5]
    assert read_js("[1.0, 2.5f]", "array", "float") == [1.0, "2.5f"]  # not a float literal: left as text
    assert read_js("['q1', \"q2\"]", "array", "String") == ["q1", "q2"]
    assert read_js("[[1, 2], [3]]", "array", "integer") == [[1, 2], [3]]  # an array of arrays: read untyped
    assert read_js("{theme: 'dark', grid: true, tags: [1, 2]}", "dict") == {"theme": "dark", "grid": True,
                                                                            "tags": [1, 2]}
    assert read_js(".75", "float") == ".75" and read_js("42", "Bigint") == "42"
    assert read_js("document.body", "any") == "document.body"
    with pytest.raises(ValueError, match="not in the official type table"):
        read_js("x", "Symbol")
