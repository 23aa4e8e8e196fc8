"""The API schema's error answers: every operation documents the 4xx statuses it can answer.

A drf-spectacular postprocessing hook (``SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]``).
Which statuses an operation answers is the view's to say: a view with
``schema_error_statuses(method)`` (``county.api.ScopedModelViewSet``) names them, any other
view answers 403 (the API needs a login). This module only writes them into the schema, with
the two body shapes DRF answers errors in, and the ``ETag`` header where the view says its
success answer carries one (``schema_answers_etag(method)``).
"""

from drf_spectacular.settings import spectacular_settings

DETAIL = "ApiErrorDetail"
VALIDATION = "ApiValidationErrors"

COMPONENTS = {
    DETAIL: {
        "type": "object",
        "description": "出错的原因（中文）。",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
    },
    VALIDATION: {
        "type": "object",
        "description": (
            "键为字段名，值为该字段的错误信息列表（嵌套的字段为对象）；"
            "non_field_errors 为整体的错误；请求体无法解析时为 detail。"
        ),
        "additionalProperties": {
            "anyOf": [
                {"type": "array", "items": {}},
                {"type": "string"},
                {"type": "object"},
            ]
        },
    },
}

# status: (description, body component)
ANSWERS = {
    400: ("请求有误：字段的值不合规定，或请求体无法解析。", VALIDATION),
    403: ("未登录、令牌无效，或无权进行此操作。", DETAIL),
    404: ("记录不存在，或不在您可以查看的范围内（列表：页码超出范围）。", DETAIL),
    409: ("记录仍被使用，不能删除；或已不处于这一步需要的状态（可能已由他人处理）。", DETAIL),
    412: ("If-Match 所指的版本已不是记录的当前版本（已被他人修改），本次修改未保存。", DETAIL),
    415: ("请求体的类型不受支持（应为 JSON、表单或 multipart）。", DETAIL),
}

ETAG = {
    "description": '记录的版本（"<version>"）；修改时放在 If-Match 里，以免覆盖他人的修改。',
    "schema": {"type": "string"},
}


def _views(generator, request):
    """``(path, method) -> view`` for the operations the generator has just described."""
    views = {}
    for path, _regex, method, callback in generator.endpoints or ():
        view = generator.create_view(callback, method)
        # as drf-spectacular's own pass does: a view may ask its request who is asking
        view.request = spectacular_settings.GET_MOCK_REQUEST(method, path, view, request)
        views[generator.coerce_path(path, method, view), method.lower()] = view
    return views


def _statuses(view, method):
    ask = getattr(view, "schema_error_statuses", None)
    return ask(method) if ask else {403}


def document_error_answers(result, generator, request, public):
    """Add each operation's error answers (and ``ETag`` headers) to the schema ``result``."""
    views = _views(generator, request)
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.update(COMPONENTS)
    for path, item in result.get("paths", {}).items():
        for method, operation in item.items():
            view = views.get((path, method))
            if view is None or not isinstance(operation, dict):
                continue
            responses = operation.setdefault("responses", {})
            for code in sorted(_statuses(view, method.upper())):
                description, component = ANSWERS[code]
                responses.setdefault(
                    str(code),
                    {
                        "description": description,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": f"#/components/schemas/{component}"}
                            }
                        },
                    },
                )
            etag = getattr(view, "schema_answers_etag", None)
            if etag and etag(method.upper()):
                for code, answer in responses.items():
                    if code.startswith("2"):
                        answer.setdefault("headers", {})["ETag"] = ETAG
    return result
