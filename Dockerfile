# The call-control bot: `docker build -t wxc_cc_bot .`, then `docker compose up` (see docker-compose.yml) or
# `docker run --env-file .env -p 127.0.0.1:6001:6001 wxc_cc_bot`. Configuration comes from the environment at run
# time; nothing secret is in the image (.dockerignore keeps .env and token files out of the build context).
FROM python:3.11-slim

# PYTHONPATH: the code lives in /app, the process works in /data (see WORKDIR below)
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONPATH=/app \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    PORT=6001

# an unprivileged user, and its working directory: the YAML token store (used when no Redis is configured) and the
# access policy file (wxc_cc_config.json) are looked up there; mount a volume on /data to keep them
RUN groupadd --gid 10001 bot \
    && useradd --uid 10001 --gid 10001 --create-home --shell /usr/sbin/nologin bot \
    && mkdir /data \
    && chown 10001:10001 /data

WORKDIR /app
# every dependency is a wheel or pure Python, so the slim image needs no compiler; pip keeps no cache
COPY requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt

# the code belongs to root and is read-only for the bot, whatever modes the checkout has (a umask of 077 gives 0600)
COPY wxc_cc_bot.py user_context.py ngrokhelper.py ./
COPY wxc_cc ./wxc_cc
RUN chmod -R a+rX,go-w /app

USER 10001:10001
WORKDIR /data

EXPOSE 6001
# healthy = alive (/health: the process takes tasks) and ready (/ready: the stores answer, e.g. Redis is up); the
# first that fails is named in the check's output. The start may wait up to WXC_CC_NGROK_TIMEOUT (30 s) for an
# ngrok tunnel
HEALTHCHECK --interval=30s --timeout=5s --start-period=45s --retries=3 \
  CMD ["python", "-c", \
       "import os, urllib.request as u\nfor path in ('/health', '/ready'):\n    try:\n        u.urlopen(f'http://127.0.0.1:{os.environ[\"PORT\"]}{path}', timeout=2)\n    except OSError as error:\n        raise SystemExit(f'{path}: {error}')"]

# gunicorn binds 0.0.0.0:$PORT by itself; exec form: gunicorn is PID 1 and gets SIGTERM for a graceful stop, which
# the bot's gunicorn settings (wxc_cc.gunicorn_conf) turn into a drain of WXC_CC_DRAIN_TIMEOUT; the logger class
# writes gunicorn's own lines as JSON too when LOG_FORMAT=json
CMD ["gunicorn", "-c", "python:wxc_cc.gunicorn_conf", "--workers", "1", "--log-file", "-", "--no-control-socket", \
     "--logger-class", "wxc_cc.logsetup.GunicornLogger", "wxc_cc_bot:create_app()"]
