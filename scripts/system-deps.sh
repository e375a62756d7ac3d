#!/usr/bin/env bash
# Install what a fresh Debian/Ubuntu machine lacks for the bot and its tests: Python's venv module and
# redis-server (the tests start their own throwaway Redis, Sentinels as `redis-server --sentinel`, and Redis over
# TLS, which Debian's and Ubuntu's builds of Redis 6.2 and later support; no separate redis-sentinel package is
# needed). Options:
#   --browser   Debian's chromium (the sandbox's browser test drives /usr/bin/chromium with Playwright, whose
#               driver comes with its pip package) and a colour emoji font (the bot's replies use emoji)
#   --graphviz  Graphviz's dot (the documentation's diagrams; the docs are built by make docs and make test)
# Uses sudo when not root. Does nothing when all is there.
set -euo pipefail
missing=()
python3 -c 'import ensurepip, venv' 2>/dev/null || missing+=(python3-venv)
command -v redis-server >/dev/null || missing+=(redis-server)
if [[ " $* " == *" --graphviz "* ]]; then
  command -v dot >/dev/null || missing+=(graphviz)
fi
if [[ " $* " == *" --browser "* ]]; then
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  if command -v dpkg-query >/dev/null; then
    dpkg-query -W -f='${Status}' fonts-noto-color-emoji 2>/dev/null | grep -q 'install ok installed' \
      || missing+=(fonts-noto-color-emoji)
  fi
fi
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null; then
  echo "Please install: ${missing[*]}" >&2
  exit 1
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "Installing ${missing[*]} ..." >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
