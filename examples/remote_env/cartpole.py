"""An example env written in Python and served to rein: Gymnasium's CartPole-v1 dynamics
(Barto, Sutton & Anderson 1983; Gymnasium 1.x constants, Euler integration), standard library
only. Run it, then train rein against it:

    /usr/bin/python3 examples/remote_env/cartpole.py --port 5556
    rein train ppo remote://127.0.0.1:5556 --steps 100000
"""

import argparse
import math
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rein_remote import Box, Discrete, serve  # noqa: E402


class PyCartPole:
    gravity, masscart, masspole, length, force_mag, tau = 9.8, 1.0, 0.1, 0.5, 10.0, 0.02
    theta_threshold = 12 * 2 * math.pi / 360
    x_threshold = 2.4
    max_episode_steps = 500
    reward_threshold = 475.0

    def __init__(self):
        inf = float("inf")
        high = [self.x_threshold * 2, inf, self.theta_threshold * 2, inf]
        self.observation_space = Box([-h for h in high], high, dtype="float32")
        self.action_space = Discrete(2)
        self.rng = random.Random()
        self.state = None
        self.steps = 0

    def reset(self, seed=None, options=None):
        if seed is not None:
            self.rng.seed(seed)
        self.state = [self.rng.uniform(-0.05, 0.05) for _ in range(4)]
        self.steps = 0
        return list(self.state), {}

    def step(self, action):
        if action not in (0, 1):
            raise ValueError("action %r is not in Discrete(2)" % (action,))
        if self.state is None:
            raise RuntimeError("step before reset")
        x, x_dot, theta, theta_dot = self.state
        force = self.force_mag if action == 1 else -self.force_mag
        total_mass = self.masspole + self.masscart
        polemass_length = self.masspole * self.length
        costheta, sintheta = math.cos(theta), math.sin(theta)
        temp = (force + polemass_length * theta_dot ** 2 * sintheta) / total_mass
        thetaacc = (self.gravity * sintheta - costheta * temp) / (
            self.length * (4.0 / 3.0 - self.masspole * costheta ** 2 / total_mass))
        xacc = temp - polemass_length * thetaacc * costheta / total_mass
        x += self.tau * x_dot
        x_dot += self.tau * xacc
        theta += self.tau * theta_dot
        theta_dot += self.tau * thetaacc
        self.state = [x, x_dot, theta, theta_dot]
        self.steps += 1
        terminated = abs(x) > self.x_threshold or abs(theta) > self.theta_threshold
        truncated = not terminated and self.steps >= self.max_episode_steps
        return list(self.state), 1.0, terminated, truncated, {}


def main():
    p = argparse.ArgumentParser(description="serve a Python CartPole to rein")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=5556, help="0 picks a free port")
    p.add_argument("--token", default="")
    p.add_argument("--n-envs", type=int, default=1)
    p.add_argument("--frame-timeout", type=float, default=10.0, help="seconds")
    p.add_argument("--max-clients", type=int, default=64)
    a = p.parse_args()
    serve(PyCartPole, "PyCartPole-v0", a.host, a.port, token=a.token, n_envs=a.n_envs,
          frame_timeout=a.frame_timeout, max_clients=a.max_clients)


if __name__ == "__main__":
    main()
