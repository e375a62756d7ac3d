# The call-control bot. Configuration comes from the environment at run time (docker compose passes .env);
# nothing secret is in the image.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PORT=6001
WORKDIR /app

COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY wxc_cc_bot.py user_context.py ngrokhelper.py ./
COPY wxc_cc ./wxc_cc

RUN useradd --create-home --uid 10001 bot && mkdir /data && chown bot /data
USER bot
# the YAML token store (used when no Redis is configured) lives in the working directory
WORKDIR /data

EXPOSE 6001
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
  CMD python -c "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"PORT\"]}/health', timeout=4)"

CMD ["sh", "-c", "exec gunicorn --chdir /app --bind 0.0.0.0:${PORT} --workers 1 --log-file - --no-control-socket 'wxc_cc_bot:create_app()'"]
