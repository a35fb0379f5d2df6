#!/usr/bin/env python3
"""Gymnasium's CartPole-v1 throughput, the baseline for rein-bench's BM_CartPole* (docs/PERFORMANCE.md).

Measures env steps per second with random actions (resets included) for one env made with
gymnasium.make, and for a SyncVectorEnv of 64 envs. Needs Gymnasium; exits with a message if it
is not importable.

usage: /usr/bin/python3 bench/gymnasium_baseline.py [--seconds S]
"""
import argparse
import sys
import time


def single_env(gym, seconds):
    env = gym.make("CartPole-v1")
    env.reset(seed=0)
    env.action_space.seed(0)
    steps, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for _ in range(1000):
            _, _, terminated, truncated, _ = env.step(env.action_space.sample())
            if terminated or truncated:
                env.reset()
        steps += 1000
    return steps / (time.perf_counter() - start)


def vector_env(gym, seconds, n=64):
    envs = gym.vector.SyncVectorEnv([lambda: gym.make("CartPole-v1") for _ in range(n)])
    envs.reset(seed=0)
    envs.action_space.seed(0)
    steps, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for _ in range(100):
            envs.step(envs.action_space.sample())
        steps += 100 * n
    return steps / (time.perf_counter() - start)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()
    try:
        import gymnasium as gym
    except ImportError:
        print("gymnasium is not installed here: no baseline measured "
              "(docs/PERFORMANCE.md quotes the issue's figure instead)", file=sys.stderr)
        return 2
    print(f"gymnasium {gym.__version__}")
    print(f"CartPole-v1 single env: {single_env(gym, args.seconds):,.0f} env steps/s")
    print(f"CartPole-v1 SyncVectorEnv(64): {vector_env(gym, args.seconds):,.0f} env steps/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
