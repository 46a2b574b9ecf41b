from qa_binwheel._mul import mul  # noqa: F401
