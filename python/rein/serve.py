"""Serve an environment written in Python to rein (and to any rein client) over rein's remote
protocol (docs/REMOTE_ENVS.md), with rein's native server:

    class MyEnv:                      # any class with Gymnasium's API; NumPy is enough
        observation_space = rein.spaces.Box(-1.0, 1.0, shape=(3,))
        action_space = rein.spaces.Discrete(2)
        def reset(self, *, seed=None, options=None): return obs, {}
        def step(self, action): return obs, reward, terminated, truncated, {}

    rein.serve(MyEnv, port=5556)      # then: rein train ppo remote://127.0.0.1:5556

Pass a class or a function returning a new env, and every client gets its own envs; pass one
env object, and the server takes one client with one env at a time. Spaces may be
``gymnasium.spaces`` or ``rein.spaces`` (Discrete, Box, MultiDiscrete). Infos carry their numeric
entries. An exception in the env is sent to the client as an error with its message.
"""
from __future__ import annotations

import atexit
import time
import weakref

from . import _rein

__all__ = ["Server", "serve"]

_live = weakref.WeakSet()


class Server:
    """A running server: ``port``, ``address``, ``steps`` (answered so far), ``stop()``."""

    def __init__(self, native):
        self._server = native
        _live.add(self)

    @property
    def port(self) -> int:
        return self._server.port

    @property
    def address(self) -> str:
        return self._server.address

    @property
    def url(self) -> str:
        return f"remote://{self.address}"

    @property
    def steps(self) -> int:
        return self._server.steps

    def stop(self):
        self._server.stop()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
        return False


def serve(env, host: str = "127.0.0.1", port: int = 5556, *, env_id: str | None = None,
          n_envs: int = 1, token: str = "", max_clients: int = 64,
          max_episode_steps: int | None = None, block: bool = True):
    """Serves ``env`` (a class, a function making an env, or one env object) on host:port
    (``port=0``: a free port). ``env_id`` names the env to clients and in their runs (default:
    the class name); ``max_episode_steps`` truncates episodes there (Gymnasium's TimeLimit).
    With ``block=True`` serves until Ctrl-C; with ``block=False`` returns the running
    :class:`Server` (stop it, or use it as a context manager)."""
    shared = not isinstance(env, type) and hasattr(env, "step")
    make_env = (lambda: env) if shared else env
    if not callable(make_env):
        raise _rein.InvalidArgument("serve: env must be an env class, a function returning an "
                                    "env, or an env object with reset() and step()")
    if env_id is None:
        env_id = getattr(getattr(env, "spec", None), "id", None) or \
            (env.__name__ if isinstance(env, type) else type(env).__name__)
    server = Server(_rein._Server(make_env, str(env_id), host, int(port), int(n_envs), token,
                                  int(max_clients), shared, max_episode_steps))
    if not block:
        return server
    print(f"serving {env_id} on {server.url}", flush=True)
    try:
        while True:
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return server


@atexit.register
def _stop_all():  # servers' threads call into Python: stop them while the interpreter is whole
    for server in list(_live):
        server.stop()
