"""Serve an environment written in Python to rein over TCP, with the standard library only.

Implements the server side of rein's remote-env protocol, version 1 (docs/REMOTE_ENVS.md).
Write an env with Gymnasium's shape and hand a factory to serve():

    class MyEnv:
        observation_space = Box(low=[-1.0, -1.0], high=[1.0, 1.0])
        action_space = Discrete(3)
        max_episode_steps = 200          # optional, informative (the env truncates itself)
        def reset(self, seed=None, options=None): return obs, {}
        def step(self, action): return obs, reward, terminated, truncated, {}

    serve(MyEnv, "MyEnv-v0", port=5556)

Then, e.g.: rein train ppo remote://127.0.0.1:5556
Observations are flat sequences of numbers (ints for Discrete/MultiDiscrete); info values that
are numbers travel, others are dropped. Each client gets its own env instances.
"""

import math
import socket
import socketserver
import struct
import sys
import threading

PROTOCOL_VERSION = 1
MAGIC = b"REIN"

HELLO, WELCOME, RESET, STEP, RESET_RESULT, STEP_RESULT, CLOSE, ERROR = range(1, 9)
(MALFORMED_FRAME, FRAME_TOO_LARGE, UNAUTHORIZED, VERSION_MISMATCH, UNEXPECTED_FRAME, ENV_ERROR,
 SERVER_FULL, TIMEOUT, BAD_REQUEST) = range(1, 10)
FATAL = object()

_DTYPES = {"float32": (0, "f"), "float64": (1, "d"), "int64": (2, "q")}


class Discrete:
    def __init__(self, n, start=0):
        self.n, self.start = int(n), int(start)

    def encode(self):
        return struct.pack("<Bqq", 0, self.n, self.start)

    numel, obs_format, action_format = 1, "q", "q"


class Box:
    def __init__(self, low, high, dtype="float32", shape=None):
        self.low = [float(x) for x in low]
        self.high = [float(x) for x in high]
        if len(self.low) != len(self.high):
            raise ValueError("Box: low and high differ in length")
        self.shape = tuple(shape) if shape is not None else (len(self.low),)
        self.dtype = dtype
        self.numel = math.prod(self.shape)
        self.obs_format = _DTYPES[dtype][1] * self.numel
        self.action_format = "f" * self.numel  # actions always travel as float32

    def encode(self):
        out = struct.pack("<BBB", 1, _DTYPES[self.dtype][0], len(self.shape))
        out += struct.pack("<%dq" % len(self.shape), *self.shape)
        return out + struct.pack("<%dd" % self.numel, *self.low) + \
            struct.pack("<%dd" % self.numel, *self.high)


class MultiDiscrete:
    def __init__(self, nvec):
        self.nvec = [int(n) for n in nvec]
        self.numel = len(self.nvec)
        self.obs_format = self.action_format = "q" * self.numel

    def encode(self):
        return struct.pack("<BI", 2, len(self.nvec)) + struct.pack("<%dq" % self.numel, *self.nvec)


class ProtocolError(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


class _Reader:
    def __init__(self, body, name):
        self.body, self.pos, self.name = body, 0, name

    def take(self, fmt):
        size = struct.calcsize("<" + fmt)
        if self.pos + size > len(self.body):
            raise ProtocolError(MALFORMED_FRAME, "malformed %s frame: truncated" % self.name)
        values = struct.unpack_from("<" + fmt, self.body, self.pos)
        self.pos += size
        return values

    def string(self):
        (n,) = self.take("I")
        if self.pos + n > len(self.body):
            raise ProtocolError(MALFORMED_FRAME, "malformed %s frame: string too long" % self.name)
        s = self.body[self.pos:self.pos + n].decode("utf-8", "replace")
        self.pos += n
        return s

    def boolean(self):
        (b,) = self.take("B")
        if b > 1:
            raise ProtocolError(MALFORMED_FRAME, "malformed %s frame: bool %d" % (self.name, b))
        return b == 1

    def finish(self):
        if self.pos != len(self.body):
            raise ProtocolError(MALFORMED_FRAME, "malformed %s frame: trailing bytes" % self.name)


def _frame(ftype, body=b""):
    return struct.pack("<IB", len(body) + 1, ftype) + body


def _string(s):
    b = s.encode("utf-8")
    return struct.pack("<I", len(b)) + b


def _info(info):
    numbers = [(k, float(v)) for k, v in (info or {}).items()
               if isinstance(v, (int, float, bool))]
    out = struct.pack("<H", len(numbers))
    for k, v in numbers:
        out += _string(str(k)) + struct.pack("<Bd", 0, v)
    return out


class _Session:
    """The envs of one client and the frames they answer."""

    def __init__(self, server):
        self.server, self.envs, self.autoreset = server, None, False

    def hello(self, r):
        if r.take("4s")[0] != MAGIC:
            raise ProtocolError(VERSION_MISMATCH, "Hello without the REIN magic")
        (version,) = r.take("H")
        if version != PROTOCOL_VERSION:
            raise ProtocolError(VERSION_MISMATCH, "client speaks protocol version %d, this "
                                "server version %d" % (version, PROTOCOL_VERSION))
        token = r.string()
        (n,) = r.take("I")
        self.autoreset = r.boolean()
        r.finish()
        if self.server.token and token != self.server.token:
            raise ProtocolError(UNAUTHORIZED, "wrong token" if token else
                                "this server needs a token (pass token=...)")
        n = n or self.server.n_envs
        if n > self.server.max_envs_per_client:
            raise ProtocolError(BAD_REQUEST, "%d envs asked for, at most %d per client"
                                % (n, self.server.max_envs_per_client))
        self.envs = [self.server.make_env() for _ in range(n)]
        e = self.envs[0]
        self.obs_space, self.act_space = e.observation_space, e.action_space
        steps = getattr(e, "max_episode_steps", None)
        threshold = getattr(e, "reward_threshold", None)
        body = struct.pack("<H", PROTOCOL_VERSION) + _string(self.server.env_id)
        body += struct.pack("<IB", n, self.autoreset)
        body += self.obs_space.encode() + self.act_space.encode()
        body += struct.pack("<Bq", steps is not None, steps or 0)
        body += struct.pack("<Bd", threshold is not None, threshold or 0.0)
        body += struct.pack("<I", self.server.max_frame_bytes)
        return _frame(WELCOME, body)

    def _obs(self, obs):
        values = list(obs) if isinstance(obs, (list, tuple)) else [obs]
        if self.obs_space.obs_format.startswith("q"):
            values = [int(v) for v in values]
        return struct.pack("<" + self.obs_space.obs_format, *values)

    def reset(self, r):
        has_seed = r.boolean()
        (seed,) = r.take("Q")
        (n_options,) = r.take("I")
        options = {}
        for _ in range(n_options):
            key = r.string()
            options[key] = r.string()
        r.finish()
        obs_bytes, infos = b"", b""
        for i, env in enumerate(self.envs):
            obs, info = env.reset(seed=seed + i if has_seed else None, options=options)
            obs_bytes += self._obs(obs)
            infos += _info(info)
        return _frame(RESET_RESULT, struct.pack("<I", len(self.envs)) + obs_bytes + infos)

    def step(self, r):
        (n,) = r.take("I")
        if n != len(self.envs):
            raise ProtocolError(MALFORMED_FRAME, "Step for %d envs, the session has %d"
                                % (n, len(self.envs)))
        fmt = self.act_space.action_format
        actions = [r.take(fmt) for _ in range(n)]
        r.finish()
        obs_bytes, rewards, flags, infos, finals = b"", [], [], b"", b""
        for env, a in zip(self.envs, actions):
            action = a[0] if isinstance(self.act_space, Discrete) else list(a)
            obs, reward, terminated, truncated, info = env.step(action)
            flag = (1 if terminated else 0) | (2 if truncated else 0)
            if flag and self.autoreset:
                finals += self._obs(obs) + _info(info)
                obs, info = env.reset()
            obs_bytes += self._obs(obs)
            rewards.append(float(reward))
            flags.append(flag)
            infos += _info(info)
        body = struct.pack("<I", n) + obs_bytes + struct.pack("<%dd" % n, *rewards)
        body += struct.pack("<%dB" % n, *flags) + infos + finals
        return _frame(STEP_RESULT, body)


class _Handler(socketserver.BaseRequestHandler):
    def _read(self, n, first):
        data = b""
        while len(data) < n:
            # Waiting for a frame to start may take forever (a trainer updating its policy);
            # once it has started, the rest must arrive within the frame timeout.
            self.request.settimeout(None if (first and not data) else self.server.frame_timeout)
            chunk = self.request.recv(n - len(data))
            if not chunk:
                return None
            data += chunk
        return data

    def handle(self):
        server = self.server
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with server.lock:
            server.clients += 1
            full = server.clients > server.max_clients
        session = _Session(server)
        try:
            if full:
                raise ProtocolError(SERVER_FULL, "%d clients already connected" % server.max_clients)
            while True:
                prefix = self._read(4, True)
                if prefix is None:
                    return
                (length,) = struct.unpack("<I", prefix)
                if length == 0:
                    raise ProtocolError(MALFORMED_FRAME, "frame of length 0")
                if length > server.max_frame_bytes:
                    raise ProtocolError(FRAME_TOO_LARGE, "frame of %d bytes exceeds "
                                        "max_frame_bytes %d" % (length, server.max_frame_bytes))
                body = self._read(length, False)
                if body is None:
                    return
                ftype, r = body[0], None
                names = {HELLO: "Hello", RESET: "Reset", STEP: "Step", CLOSE: "Close"}
                if ftype not in names:
                    raise ProtocolError(MALFORMED_FRAME if ftype > ERROR or ftype == 0
                                        else UNEXPECTED_FRAME, "unexpected frame type %d" % ftype)
                r = _Reader(body[1:], names[ftype])
                if ftype == CLOSE:
                    return
                if (ftype == HELLO) == (session.envs is not None):
                    raise ProtocolError(UNEXPECTED_FRAME, "%s %s Hello" % (
                        names[ftype], "after" if ftype == HELLO else "before"))
                try:
                    reply = {HELLO: session.hello, RESET: session.reset,
                             STEP: session.step}[ftype](r)
                except ProtocolError:
                    raise
                except Exception as e:  # the env raised: report it, keep the session
                    if session.envs is None:
                        raise ProtocolError(ENV_ERROR, "cannot make the envs: %s" % e)
                    reply = _frame(ERROR, struct.pack("<H", ENV_ERROR) + _string(
                        "%s: %s: %s" % (names[ftype].lower(), type(e).__name__, e)))
                self.request.sendall(reply)
        except ProtocolError as e:
            server.log("client %s:%d: %s" % (self.client_address[0], self.client_address[1], e))
            try:
                self.request.sendall(_frame(ERROR, struct.pack("<H", e.code) + _string(str(e))))
            except OSError:
                pass
        except socket.timeout:
            try:
                self.request.sendall(_frame(ERROR, struct.pack("<H", TIMEOUT) + _string(
                    "stalled in the middle of a frame")))
            except OSError:
                pass
        except OSError:
            pass
        finally:
            with server.lock:
                server.clients -= 1


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, make_env, env_id, host="127.0.0.1", port=0, token="", n_envs=1,
                 max_frame_bytes=16 << 20, frame_timeout=10.0, max_clients=64,
                 max_envs_per_client=4096, log=None):
        super().__init__((host, port), _Handler)
        self.make_env, self.env_id, self.token, self.n_envs = make_env, env_id, token, n_envs
        self.max_frame_bytes, self.frame_timeout = max_frame_bytes, frame_timeout
        self.max_clients, self.max_envs_per_client = max_clients, max_envs_per_client
        self.log = log or (lambda line: print("serve: " + line, file=sys.stderr, flush=True))
        self.lock, self.clients = threading.Lock(), 0

    @property
    def port(self):
        return self.server_address[1]


def serve(make_env, env_id, host="127.0.0.1", port=0, **options):
    """Serves until interrupted; prints the URL to connect to on stdout first."""
    with Server(make_env, env_id, host, port, **options) as server:
        print("serving %s at remote://%s:%d" % (env_id, host, server.port), flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
