"""The HTTP API's request and response models, kept apart from the internal types.

One module per module of service/routes/ (common.py: what several share). Conversions from the
internal types (Document, Hit, Answer, Citation) live here as `from_*` class methods, so the
routes stay one call deep.
"""
