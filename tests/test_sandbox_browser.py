"""
The sandbox page in a real headless Chromium (Debian's ``/usr/bin/chromium``, driven by Playwright): sign in
through the emulated consent page in a popup, dial and see the request in the trace and the devices that ring in
the phone pane, choose the preferred device and see the call queues and caller ID, ring the phone, answer on the
card, hang up; turn on Do Not Disturb and busy forwarding from the chat and see the phone pane show them and the
next call ring elsewhere. Takes a screenshot on the way; with ``UPDATE_SCREENSHOT=1`` it replaces
``docs/_static/sandbox.png``, the one the README shows.

Chromium is required, not optional: without it the test fails and says how to install it.
"""
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox import Sandbox, start_sandbox
from tests.e2e import assert_contract_kept

pytestmark = pytest.mark.browser

CHROMIUM = '/usr/bin/chromium'
README_SCREENSHOT = Path(__file__).resolve().parent.parent / 'docs' / '_static' / 'sandbox.png'
#: flags this machine needs; the user data directory is a fresh one per test
CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
                 '--disable-background-networking', '--disable-component-update', '--disable-sync']
#: longest wait for anything on the page, milliseconds
WAIT_MS = 10_000


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    running = start_sandbox(0, log_level='WARNING')
    yield running
    running.stop()
    assert_contract_kept(running.fake)


@pytest.fixture
def browser_context(tmp_path: Path):
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f'{CHROMIUM} is missing: install Debian\'s chromium (make system-deps, or apt-get install -y '
                    'chromium); the sandbox page is tested in a real browser')
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail('Playwright for Python is missing: pip install -r requirements-dev.txt')
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / 'chromium-profile'), executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
            viewport={'width': 1500, 'height': 920})
        context.set_default_timeout(WAIT_MS)
        try:
            yield context
        finally:
            context.close()


def test_a_newcomer_in_the_sandbox(sandbox: Sandbox, browser_context, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    page = browser_context.new_page()
    page.goto(sandbox.url)
    expect(page.locator('#users button')).to_have_count(3, timeout=WAIT_MS)
    page.locator('#users button[data-user="alice"]').click()
    expect(page.locator('#chat-title')).to_have_text('Chat with the bot as Alice Anders', timeout=WAIT_MS)
    messages, calls, trace = page.locator('#messages'), page.locator('#calls'), page.locator('#trace')

    def send(text: str, reply: str) -> None:
        page.locator('#text').fill(text)
        page.locator('#text').press('Enter')
        expect(messages.locator('.msg.from-bot', has_text=reply).last).to_be_visible(timeout=WAIT_MS)

    # /auth: the link opens the emulated consent page in a new tab; Allow ends on the bot's /redirect
    send('/auth', 'to authorize me')
    with browser_context.expect_page(timeout=WAIT_MS) as opened:
        messages.get_by_role('link', name='link').last.click()
    consent = opened.value
    expect(consent.get_by_role('heading', name='Sign in to Webex')).to_be_visible(timeout=WAIT_MS)
    expect(consent.locator('#person option:checked')).to_have_text('Alice Anders (alice@example.com)',
                                                                   timeout=WAIT_MS)
    consent.get_by_role('button', name='Allow').click()
    expect(consent.locator('body')).to_contain_text('can now control your Webex Calling phone', timeout=WAIT_MS)
    consent.close()
    expect(messages).to_contain_text('Authorized as alice@example.com', timeout=WAIT_MS)
    expect(trace.locator('.trace-row', has_text='/access_token').first).to_contain_text('anonymous',
                                                                                       timeout=WAIT_MS)

    # /dial 1234 becomes POST /telephony/calls/dial {"destination": "1234"} with Alice's token
    send('/dial 1234', 'Dialing 1234')
    dial = trace.locator('.trace-row', has_text='/telephony/calls/dial').first
    expect(dial).to_contain_text('POST', timeout=WAIT_MS)
    expect(dial.locator('pre')).to_contain_text('"destination": "1234"', timeout=WAIT_MS)
    expect(dial.locator('.identity')).to_have_text('alice@example.com', timeout=WAIT_MS)
    expect(dial.locator('.status')).to_have_text('201', timeout=WAIT_MS)
    outgoing = calls.locator('.call', has_text='to 1234')
    expect(outgoing.locator('.badge')).to_have_text('connecting', timeout=WAIT_MS)
    # the phone pane shows which devices ring: all of them, without `on <n>`
    expect(outgoing.locator('.call-meta')).to_contain_text('rings Cisco 8865 (Desk), Webex Desktop Application',
                                                           timeout=WAIT_MS)
    expect(page.locator('#devices .badge.rings')).to_have_count(2, timeout=WAIT_MS)
    outgoing.get_by_role('button', name='Hang up (far end)').click()
    expect(calls).to_contain_text('No active calls.', timeout=WAIT_MS)

    # /devices 2 makes the app the preferred device; /queue and /callerid show in the pane too
    send('/devices 2', 'is now your preferred device')
    expect(page.locator('#devices .device', has_text='Webex Desktop Application').locator('.preferred')
           ).to_be_visible(timeout=WAIT_MS)
    expect(page.locator('#call-queues')).to_have_text(
        'Call queues (available): Support 5001 not joined · Sales 5002 joined, may not leave', timeout=WAIT_MS)
    expect(page.locator('#caller-id')).to_have_text('Caller ID: Alice Anders (+14085551001), default',
                                                    timeout=WAIT_MS)

    # ring Alice from outside: the live card rings, Answer on the card connects the call
    send('/monitor on', 'Monitoring is on')
    page.locator('#caller').select_option('outside')
    page.locator('#caller-name').fill('Henry Green')
    page.locator('#caller-number').fill('7101')
    page.get_by_role('button', name='Ring Alice').click()
    ringing = calls.locator('.call', has_text='from Henry Green (7101)')
    expect(ringing.locator('.badge')).to_have_text('alerting', timeout=WAIT_MS)
    card = messages.locator('.ac-card', has_text='Incoming call')
    expect(card).to_contain_text('Henry Green', timeout=WAIT_MS)
    card.get_by_role('button', name='Answer').click()
    expect(ringing.locator('.badge')).to_have_text('connected', timeout=WAIT_MS)
    connected = messages.locator('.ac-card', has_text='Connected call')
    expect(connected.get_by_role('button', name='Hold')).to_be_visible(timeout=WAIT_MS)
    expect(messages.get_by_role('button', name='Answer')).to_have_count(0, timeout=WAIT_MS)
    expect(trace.locator('.trace-row', has_text='/telephony/calls/answer').first).to_contain_text(
        'alice@example.com', timeout=WAIT_MS)
    screenshot = README_SCREENSHOT if os.environ.get('UPDATE_SCREENSHOT') == '1' else tmp_path / 'sandbox.png'
    page.screenshot(path=str(screenshot), full_page=True)

    # /hangup: the call ends, its card is gone
    send('/hangup', 'Hung up the call from Henry Green')
    expect(messages.locator('.ac-card')).to_have_count(0, timeout=WAIT_MS)
    expect(calls).to_contain_text('No active calls.', timeout=WAIT_MS)

    # the phone pane shows Do Not Disturb and forwarding as the chat sets them, and Alice's time zone
    settings = page.locator('#phone-settings')
    expect(settings).to_have_text('Do Not Disturb: off · Forwarding: off · Time zone: Europe/Berlin', timeout=WAIT_MS)
    page.locator('#chips').get_by_role('button', name='/dnd on', exact=True).click()
    expect(messages.locator('.msg.from-bot', has_text='Do Not Disturb is now on').last).to_be_visible(timeout=WAIT_MS)
    send('/forward busy 1003', 'Call forwarding (when busy) is now on')
    expect(settings).to_have_text('Do Not Disturb: on · Forwarding: when busy → 1003 · Time zone: Europe/Berlin',
                                  timeout=WAIT_MS)
    page.get_by_role('button', name='Ring Alice').click()
    expect(page.locator('#notice')).to_have_text("Forwarded: the call rings Carol's phone.", timeout=WAIT_MS)
    assert screenshot.read_bytes()[:8] == b'\x89PNG\r\n\x1a\n' and screenshot.stat().st_size > 10_000
