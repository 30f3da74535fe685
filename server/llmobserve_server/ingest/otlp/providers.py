"""Provider names as instrumentations write them, turned into the catalogue's provider ids
(genai-prices' own: `openai`, `anthropic`, `google`, `aws`, `azure`, `x-ai`, …).

The OpenTelemetry GenAI conventions name providers `aws.bedrock`, `az.ai.openai`, `gcp.gemini`,
`gcp.vertex_ai` …; OpenLLMetry writes `gen_ai.system` capitalised (`Anthropic`, `OpenAI`);
OpenInference writes `llm.provider` / `llm.system` in lower case. A name this table does not know
is kept (lower-cased), so that an account's own price for it still applies.
"""

from __future__ import annotations

_CATALOGUE_IDS: dict[str, str] = {
    "aws.bedrock": "aws",
    "aws_bedrock": "aws",
    "bedrock": "aws",
    "amazon_bedrock": "aws",
    "az.ai.openai": "azure",
    "az.ai.inference": "azure",
    "azure.ai.openai": "azure",
    "azure.ai.inference": "azure",
    "azure_openai": "azure",
    "azure": "azure",
    "gcp.gemini": "google",
    "gcp.vertex_ai": "google",
    "gcp.gen_ai": "google",
    "vertex_ai": "google",
    "vertexai": "google",
    "gemini": "google",
    "google": "google",
    "mistral_ai": "mistral",
    "mistralai": "mistral",
    "xai": "x-ai",
    "x_ai": "x-ai",
    "ibm.watsonx.ai": "ibm",
    "watsonx": "ibm",
}


def catalogue_provider(name: str | None) -> str | None:
    """The catalogue's id for an instrumentation's provider name (None stays None)."""
    if name is None:
        return None
    key = name.strip().lower()
    if not key:
        return None
    return _CATALOGUE_IDS.get(key, key)
