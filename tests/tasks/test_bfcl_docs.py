"""The function docs a BFCL-v3 prompt shows, as gorilla @ cd9429c's func_doc_language_specific_pre_processing
writes them (the expected docs below are that function's output on these made-up docs)."""

from __future__ import annotations

from tasks.bfcl import documented

ARRAY = {"type": "ArrayList", "description": "Ids.", "items": {"type": "long"}}
OPTIONS = {"type": "dict", "description": "Options.", "properties": {"dark": {"type": "Boolean"}}}


def doc(**properties):
    return [{"name": "f", "description": "Does f.", "parameters": {"type": "dict", "properties": properties,
                                                                  "required": []}}]


def test_java_parameters_become_strings_naming_their_type():
    [shown] = documented("java", doc(ids=ARRAY, node={"type": "any", "description": "Node."}))
    assert shown["description"] == "Does f. Note that the provided function is in Java 8 SDK syntax."
    assert shown["parameters"]["properties"] == {
        "ids": {"type": "string", "description": "Ids. This is Java ArrayList type parameter in string representation. "
                                                "The list elements are of type long; they are not in string "
                                                "representation."},
        "node": {"type": "string", "description": "Node. This parameter can be of any type of Java object in string "
                                                  "representation."}}


def test_javascript_objects_show_their_schema_and_python_docs_only_get_the_note():
    original = doc(options=OPTIONS)
    [shown] = documented("javascript", original)
    assert shown["parameters"]["properties"]["options"] == {
        "type": "string", "description": 'Options. This is JavaScript dict type parameter in string representation. '
                                         'The dictionary entries have the following schema; they are not in string '
                                         'representation. {"dark": {"type": "Boolean"}}'}
    assert original == doc(options=OPTIONS)  # the item's own docs (which the checker reads) are unchanged
    [python] = documented("live_simple", doc(options=OPTIONS))
    assert python["description"] == "Does f. Note that the provided function is in Python 3 syntax."
    assert python["parameters"]["properties"]["options"] == OPTIONS
