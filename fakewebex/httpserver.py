"""
A WSGI app served by werkzeug on 127.0.0.1 on a free port, in a daemon thread.
"""
import logging
import threading
from typing import Callable, Optional

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

__all__ = ['ServerThread']

log = logging.getLogger(__name__)


class _QuietHandler(WSGIRequestHandler):
    """
    Logs requests at debug level to this module's logger instead of werkzeug's stderr output.
    """

    def log(self, type: str, message: str, *args) -> None:  # noqa: A002 (signature of the base class)
        log.debug('%s %s', self.address_string(), message % args)


class ServerThread:
    """
    Serve a WSGI app in the background.
    """

    #: seconds between checks for shutdown in the serve loop; bounds how long :meth:`stop` takes
    POLL_INTERVAL = 0.05

    def __init__(self, app: Callable, host: str = '127.0.0.1', name: str = 'wsgi-server'):
        """
        :param app: WSGI application
        :param host: interface to bind
        :param name: thread name
        """
        self.app = app
        self.host = host
        self.name = name
        self._server: Optional[BaseWSGIServer] = None
        self._thread: Optional[threading.Thread] = None

    @property
    def port(self) -> int:
        """
        :return: the bound port
        :raises RuntimeError: if not started
        """
        if self._server is None:
            raise RuntimeError(f'{self.name} is not running')
        return self._server.server_port

    @property
    def url(self) -> str:
        """
        :return: ``http://host:port``
        """
        return f'http://{self.host}:{self.port}'

    def start(self) -> 'ServerThread':
        """
        Bind a free port and start serving.

        :return: self
        """
        if self._server is not None:
            return self
        self._server = make_server(self.host, 0, self.app, threaded=True, request_handler=_QuietHandler)
        self._thread = threading.Thread(target=self._server.serve_forever, args=(self.POLL_INTERVAL,),
                                        name=self.name, daemon=True)
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
        server.shutdown()
        server.server_close()
        if thread is not None:
            thread.join(timeout)
