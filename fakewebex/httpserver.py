"""
A WSGI app served on 127.0.0.1 on a free port (or a given one), in a daemon thread, by cheroot: a threaded
HTTP/1.1 server that keeps connections alive as Webex does (werkzeug's development server closes every
connection, which would hide whether a client reuses its connections).
"""
import io
import logging
import threading
from typing import Callable, Optional

from cheroot import wsgi

__all__ = ['ServerThread']

log = logging.getLogger(__name__)


class ServerThread:
    """
    Serve a WSGI app in the background.

    :param app: WSGI application
    :param host: interface to bind
    :param name: thread name
    :param threads: requests served in parallel
    :param port: port to bind; 0: a free one
    """

    def __init__(self, app: Callable, host: str = '127.0.0.1', name: str = 'wsgi-server', threads: int = 32,
                 port: int = 0):
        self.app = app
        self.host = host
        self.requested_port = port
        self.name = name
        self.threads = threads
        self._server: Optional[wsgi.Server] = None
        self._thread: Optional[threading.Thread] = None
        self._lock = threading.Lock()
        self._connections: set[tuple[str, str]] = set()

    def _wsgi(self, environ: dict, start_response: Callable) -> object:
        # a client connection is a (address, port) pair; count each once
        with self._lock:
            self._connections.add((environ.get('REMOTE_ADDR', ''), environ.get('REMOTE_PORT', '')))
        # read the whole body first, so that nothing of it is left on a kept-alive connection
        length = int(environ.get('CONTENT_LENGTH') or 0)
        environ['wsgi.input'] = io.BytesIO(environ['wsgi.input'].read(length) if length > 0 else b'')
        return self.app(environ, start_response)

    @property
    def port(self) -> int:
        """
        :return: the bound port
        :raises RuntimeError: if not started
        """
        if self._server is None:
            raise RuntimeError(f'{self.name} is not running')
        return self._server.bind_addr[1]

    @property
    def url(self) -> str:
        """
        :return: ``http://host:port``
        """
        return f'http://{self.host}:{self.port}'

    @property
    def connections_accepted(self) -> int:
        """
        :return: client connections that sent at least one request since the start
        """
        with self._lock:
            return len(self._connections)

    def start(self) -> 'ServerThread':
        """
        Bind the port (a free one if 0) and start serving.

        :return: self
        :raises OSError: if the port is taken
        """
        if self._server is not None:
            return self
        server = wsgi.Server((self.host, self.requested_port), self._wsgi, numthreads=self.threads,
                             server_name=self.name, shutdown_timeout=0.1)
        # how often the serve loop looks up from idle connections, and so how long stop() takes
        server.expiration_interval = 0.05
        # keep every idle connection a client wants kept (cheroot's default closes all but 10)
        server.keep_alive_conn_limit = 10_000
        server.prepare()
        self._server = server
        self._thread = threading.Thread(target=server.serve, name=self.name, daemon=True)
        self._thread.start()
        log.debug('%s listening on %s', self.name, self.url)
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """
        Stop serving and release the port.

        :param timeout: seconds to wait for the serving thread
        """
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is None:
            return
        server.stop()
        if thread is not None:
            thread.join(timeout)
