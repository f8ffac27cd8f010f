#!/usr/bin/env python3
# Client test of `coolfusion serve` with the real `openai` Python package, pinned:
#   python3 -m pip install "openai==3.51.0"
#   python3 scripts/openai_client_test.py --base-url http://127.0.0.1:8100/v1
# (the Swift test CoolFusionServerTests/OpenAIClientTests starts a server and runs this).
# Checks: a chat completion, a streamed chat completion whose deltas add up to the same text, a
# completion, and an error case (a 400 raised as openai.BadRequestError with our message).
# Prints "N passed, N failed" and exits non-zero on any failure.
import argparse
import sys

PINNED = "3.51.0"

try:
    import openai
except ImportError:
    sys.exit(f"the openai package is not installed: python3 -m pip install openai=={PINNED}")

if openai.__version__ != PINNED:
    sys.exit(f"openai {openai.__version__} is installed, this test is pinned to {PINNED}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base-url", required=True, help="e.g. http://127.0.0.1:8100/v1")
    args = parser.parse_args()
    client = openai.OpenAI(base_url=args.base_url, api_key="unused", max_retries=0, timeout=120)
    passed, failed = 0, 0

    def check(name, condition, detail=""):
        nonlocal passed, failed
        if condition:
            passed += 1
            print(f"ok   {name}")
        else:
            failed += 1
            print(f"FAIL {name} {detail}")

    messages = [{"role": "user", "content": "Name a colour."}]
    chat = client.chat.completions.create(model="coolfusion", messages=messages, max_tokens=12, temperature=0)
    text = chat.choices[0].message.content
    check("chat: assistant message", chat.choices[0].message.role == "assistant" and bool(text), repr(chat))
    check("chat: finish reason", chat.choices[0].finish_reason in ("stop", "length"), chat.choices[0].finish_reason)
    check("chat: usage", chat.usage is not None and chat.usage.total_tokens == chat.usage.prompt_tokens + chat.usage.completion_tokens
          and chat.usage.completion_tokens > 0, repr(chat.usage))
    extra = getattr(chat, "model_extra", None) or {}
    check("chat: cool_fusion trace", "cool_fusion" in extra and extra["cool_fusion"]["method"] == "cool", repr(extra)[:200])

    stream = client.chat.completions.create(model="coolfusion", messages=messages, max_tokens=12, stream=True)
    pieces, finish, chunks = [], None, 0
    for chunk in stream:
        chunks += 1
        if chunk.choices and chunk.choices[0].delta.content:
            pieces.append(chunk.choices[0].delta.content)
        if chunk.choices and chunk.choices[0].finish_reason:
            finish = chunk.choices[0].finish_reason
    check("stream: deltas add up to the whole answer", "".join(pieces) == text, repr(("".join(pieces), text)))
    check("stream: several events and a finish reason", chunks >= 3 and finish == chat.choices[0].finish_reason,
          repr((chunks, finish)))

    completion = client.completions.create(model="coolfusion", prompt="The capital of France is", max_tokens=6)
    check("completion: text", bool(completion.choices[0].text), repr(completion))

    try:
        client.completions.create(model="coolfusion", prompt="Hi", max_tokens=0)
        check("error: max_tokens 0 refused", False, "no error raised")
    except openai.BadRequestError as error:
        check("error: max_tokens 0 refused", error.status_code == 400 and "max_tokens" in str(error), str(error))

    try:
        client.chat.completions.create(model="no-such-model", messages=messages)
        check("error: unknown model", False, "no error raised")
    except openai.NotFoundError as error:
        check("error: unknown model", "no-such-model" in str(error), str(error))

    models = client.models.list()
    check("models: coolfusion listed", [m.id for m in models.data] == ["coolfusion"], repr(models))

    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
