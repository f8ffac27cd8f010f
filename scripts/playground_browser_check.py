#!/usr/bin/env python3
"""Drives the playground of a running `coolfusion serve` in headless Chromium (Selenium, pinned).

    python3 scripts/playground_browser_check.py --url http://127.0.0.1:PORT [--worker-pid PID]

Checks, in a real browser, that the page served at `/`:
  1. streams a completion in coloured segments, each coloured by the model that won it, with a legend
     of segments won per model that adds up to the segments shown;
  2. shows a segment's candidates and their perplexity matrix (one PPL column per model, the winner
     marked) when the segment is clicked;
  3. does the same for a chat turn (`/v1/chat/completions`);
  4. with --worker-pid (the server runs with `--concurrency 1 --queue 0` and that worker as a member):
     stops the worker (SIGSTOP) so a generation holds the only slot, checks that a second tab gets the
     busy message (503 with Retry-After), then that the held generation ends with the worker-failure
     message once the server's worker timeout passes; the worker is resumed (SIGCONT) at the end.

Needs `chromium` and `chromium-driver` (Debian) and selenium==4.51.0 (PyPI). Prints one line per check
and `N passed, M failed`; exits non-zero on any failure.
"""
import argparse
import json
import os
import shutil
import signal
import sys
import time
import urllib.request

import selenium
from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

PINNED = "4.51.0"
PROMPT = "Hello world. This is a test of"  # many short segments on the synthetic models

results = []


def check(name, condition, detail=""):
    results.append(bool(condition))
    print(("ok   " if condition else "FAIL ") + name + ("" if condition else f": {detail}"), flush=True)
    return bool(condition)


def start_browser():
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                 "--window-size=1200,900"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(executable_path=shutil.which("chromedriver") or "/usr/bin/chromedriver")
    return webdriver.Chrome(service=service, options=options)


def open_page(driver, url, timeout):
    driver.get(url + "/")
    WebDriverWait(driver, timeout).until(
        lambda d: d.find_element(By.ID, "setup").text.startswith("Fusing"))


def status(driver):
    element = driver.find_element(By.ID, "status")
    return element.text, element.get_attribute("data-kind") or ""


def submit(driver, mode, text, max_tokens, temperature=None, method=None, selection=None, leader=None,
           gate_threshold=None):
    Select(driver.find_element(By.ID, "mode")).select_by_value(mode)
    if method is not None:
        Select(driver.find_element(By.ID, "method")).select_by_value(method)
    if selection is not None:
        Select(driver.find_element(By.ID, "selection")).select_by_value(selection)
    if leader is not None:
        Select(driver.find_element(By.ID, "leader")).select_by_value(leader)
    if gate_threshold is not None:
        field = driver.find_element(By.ID, "gate-threshold")
        field.clear()
        field.send_keys(str(gate_threshold))
    tokens = driver.find_element(By.ID, "max-tokens")
    tokens.clear()
    tokens.send_keys(str(max_tokens))
    if temperature is not None:
        field = driver.find_element(By.ID, "temperature")
        field.clear()
        field.send_keys(str(temperature))
    prompt = driver.find_element(By.ID, "prompt")
    prompt.clear()
    prompt.send_keys(text)
    driver.find_element(By.ID, "send").click()


def wait_for_end(driver, timeout):
    """Waits until the status says the answer is done or shows an error; returns (text, kind)."""
    try:
        WebDriverWait(driver, timeout).until(
            lambda d: status(d)[0].startswith("Done") or status(d)[1] != "")
    except TimeoutException:
        valid = driver.execute_script("return document.getElementById('ask').checkValidity()")
        return f"no end within {timeout} s (status {status(driver)[0]!r}; the form's values valid: {valid})", "timeout"
    return status(driver)


def check_answer(driver, label, models):
    """The last turn's segments are coloured by their winner and the legend counts them."""
    turns = driver.find_elements(By.CSS_SELECTOR, "#conversation .turn")
    if not check(f"{label}: a turn was added", turns):
        return None
    turn = turns[-1]
    segments = turn.find_elements(By.CSS_SELECTOR, ".answer-text .segment")
    check(f"{label}: at least one coloured segment streamed in", segments, "no segment")
    winners = {}
    for span in segments:
        winners.setdefault(span.get_attribute("data-index"), span.get_attribute("data-model"))
    colours = {span.get_attribute("data-model"): span.value_of_css_property("color") for span in segments}
    if len(colours) > 1:
        check(f"{label}: segments of different models have different colours",
              len(set(colours.values())) == len(colours), str(colours))
    legend = turn.find_elements(By.CSS_SELECTOR, ".legend .legend-item[data-won]")
    names = [item.text.split(":")[0] for item in legend]
    check(f"{label}: the legend names every model", all(m in names for m in models), f"{names} vs {models}")
    counted = {item.get_attribute("data-model"): int(item.get_attribute("data-won")) for item in legend}
    shown = {}
    for model in winners.values():
        shown[model] = shown.get(model, 0) + 1
    check(f"{label}: the legend's segments won per model match the segments shown",
          {k: v for k, v in counted.items() if v} == shown, f"legend {counted}, shown {shown}")
    print(f"     {label}: {len(winners)} segments; won per model {shown}; text {turn.find_element(By.CSS_SELECTOR, '.answer-text').text!r}")
    return segments


def check_details(driver, label, segments, models, timeout):
    """Clicking a segment shows its candidates and their perplexity matrix."""
    if not segments:
        return
    segments[0].click()
    WebDriverWait(driver, timeout).until(lambda d: d.find_element(By.ID, "details").is_displayed())
    details = driver.find_element(By.ID, "details")
    headers = [th.text for th in details.find_elements(By.CSS_SELECTOR, "table.candidates thead th")]
    check(f"{label}: the details show one PPL column per model",
          [h for h in headers if h.startswith("PPL under ")] == [f"PPL under {m}" for m in models], str(headers))
    rows = details.find_elements(By.CSS_SELECTOR, "table.candidates tbody tr")
    check(f"{label}: one row per candidate", len(rows) >= 1, "no rows")
    check(f"{label}: exactly one candidate is marked as the winner",
          len(details.find_elements(By.CSS_SELECTOR, "tbody tr.winner")) == 1, details.text)
    numbers = [td.text for td in details.find_elements(By.CSS_SELECTOR, "tbody td.number")]
    check(f"{label}: the matrix holds perplexities", any(n not in ("", "—") for n in numbers), str(numbers))
    title = details.find_element(By.TAG_NAME, "h2").text
    check(f"{label}: the details name the winning model", any(m in title for m in models) or "Cool" in title, title)
    print(f"     {label}: {title}; {len(rows)} candidates; cells {numbers}")


def health(url):
    with urllib.request.urlopen(url + "/health", timeout=10) as response:
        return json.load(response)


def check_busy_and_failure(driver, url, worker_pid, models, timeout):
    # Both tabs are ready before the worker stops, so the second asks while the first is still held
    # (until the server's worker timeout).
    open_page(driver, url, timeout)
    held = driver.current_window_handle
    driver.switch_to.new_window("tab")
    open_page(driver, url, timeout)
    second = driver.current_window_handle
    driver.switch_to.window(held)
    os.kill(worker_pid, signal.SIGSTOP)
    try:
        submit(driver, "completion", PROMPT, 8)
        deadline = time.monotonic() + timeout
        while health(url)["running"] < 1:
            if time.monotonic() > deadline:
                check("busy: the held generation is running", False, str(health(url)))
                return
            time.sleep(0.05)
        driver.switch_to.window(second)
        submit(driver, "completion", PROMPT, 8)
        text, kind = wait_for_end(driver, timeout)
        check("busy: a second request shows the busy message", kind == "busy" and text.startswith("Busy"), f"{kind}: {text}")
        check("busy: the message says when to retry", "try again in 1 s" in text, text)
        check("busy: the send button is usable again", driver.find_element(By.ID, "send").is_enabled())
        check("busy: the prompt is kept for a retry", driver.find_element(By.ID, "prompt").get_attribute("value") == PROMPT,
              driver.find_element(By.ID, "prompt").get_attribute("value"))
        print(f"     busy: {text!r}")
        driver.close()
        driver.switch_to.window(held)
        text, kind = wait_for_end(driver, timeout)
        check("failure: the held generation ends with the worker's failure",
              kind == "failure" and "worker" in text, f"{kind}: {text}")
        check("failure: the message names the stopped model", any(m in text for m in models), text)
        print(f"     failure: {text!r}")
    finally:
        os.kill(worker_pid, signal.SIGCONT)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="the server, e.g. http://127.0.0.1:8100")
    parser.add_argument("--worker-pid", type=int, help="a member worker's process, for the busy and failure checks")
    parser.add_argument("--screenshot", help="save a picture of the page after the chat turn (PNG)")
    parser.add_argument("--timeout", type=float, default=120, help="seconds to wait for any one thing")
    args = parser.parse_args()
    if selenium.__version__ != PINNED:
        print(f"selenium {selenium.__version__} found; this script is pinned to selenium=={PINNED}", file=sys.stderr)
        return 2
    url = args.url.rstrip("/")
    models = health(url)["models"]
    driver = start_browser()
    try:
        open_page(driver, url, args.timeout)
        check("the page reads the server's setup", all(m in driver.find_element(By.ID, "setup").text for m in models),
              driver.find_element(By.ID, "setup").text)
        with urllib.request.urlopen(url + "/playground/config.json", timeout=10) as response:
            sampling = json.load(response)["sampling"]
        check("sampling controls are offered exactly when the server can sample",
              driver.find_element(By.ID, "temperature").is_enabled() == sampling, f"server sampling: {sampling}")
        # With local models only, the completion samples (the controls' values must pass the form's checks).
        submit(driver, "completion", PROMPT, 24, temperature=0.8 if sampling else None)
        text, kind = wait_for_end(driver, args.timeout)
        check("completion: the answer finished", text.startswith("Done"), f"{kind}: {text}")
        segments = check_answer(driver, "completion", models)
        check_details(driver, "completion", segments, models, args.timeout)

        # The chat turn runs another method, rule and gate than the server's, chosen in the page:
        # the gate's controls appear with gated fusion, the last model leads and a threshold of 0 lets
        # every segment through (no top-1 probability is below 0), so it writes the whole answer.
        gate_shown = lambda: all(e.is_displayed() for e in driver.find_elements(By.CSS_SELECTOR, "label.gate"))
        check("the gate's controls are hidden while the method is not gated", not gate_shown())
        submit(driver, "chat", "What is the capital of France?", 16, method="gated", selection="vote",
               leader=models[-1], gate_threshold=0)
        check("the gate's controls are shown for gated fusion", gate_shown())
        text, kind = wait_for_end(driver, args.timeout)
        check("chat: the answer finished", text.startswith("Done"), f"{kind}: {text}")
        label = driver.find_elements(By.CSS_SELECTOR, "#conversation .turn:last-child .who")[-1].text
        check("chat: the answer says the method, leader, gate and rule chosen",
              all(part.lower() in label.lower() for part in ["gated", f"led by {models[-1]}", "gate 0,", "vote"]), label)
        segments = check_answer(driver, "chat", models)
        leader_wins = [s.get_attribute("data-model") for s in segments or []
                       if "leader alone" in (s.get_attribute("title") or "")]
        check("chat: the chosen leader wrote every segment, none fused",
              leader_wins and len(leader_wins) == len(segments or []) and
              all(w == str(len(models) - 1) for w in leader_wins), str(leader_wins))
        # The synthetic models have no chat template: the server warns in the chat answer, and the page says so.
        notes = [n.text for n in driver.find_elements(By.CSS_SELECTOR, "#conversation .turn:last-child .note")]
        check("chat: the answer shows the server's warnings", any("chat template" in n for n in notes), str(notes))
        check_details(driver, "chat", segments, models, args.timeout)

        if args.screenshot:
            driver.save_screenshot(args.screenshot)

        browser_errors = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
        check("no errors in the browser's console", not browser_errors, str(browser_errors))

        if args.worker_pid:
            check_busy_and_failure(driver, url, args.worker_pid, models, args.timeout)
    finally:
        driver.quit()
    failed = results.count(False)
    print(f"{results.count(True)} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
