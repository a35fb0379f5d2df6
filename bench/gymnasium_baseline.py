#!/usr/bin/env python3
"""Gymnasium's env throughput, the baseline for rein-bench's BM_CartPole* and BM_Box2D* (docs/PERFORMANCE.md).

Measures env steps per CPU second (process time, as rein-bench's rates) with random actions from
the seeded action space, resets included, for one env made with gymnasium.make, and for
CartPole-v1 also a SyncVectorEnv of 64 envs. The Box2D envs need Gymnasium's box2d extra. Exits
with a message if Gymnasium is not importable.

usage: /usr/bin/python3 bench/gymnasium_baseline.py [--seconds S] [--envs ID,ID,...]
"""
import argparse
import sys
import time

DEFAULT_ENVS = "CartPole-v1,LunarLander-v3,LunarLanderContinuous-v3,BipedalWalker-v3"


def single_env(gym, env_id, seconds):
    env = gym.make(env_id)
    env.reset(seed=0)
    env.action_space.seed(0)
    steps, start = 0, time.process_time()
    while time.process_time() - start < seconds:
        for _ in range(1000):
            _, _, terminated, truncated, _ = env.step(env.action_space.sample())
            if terminated or truncated:
                env.reset()
        steps += 1000
    return steps / (time.process_time() - start)


def vector_env(gym, env_id, seconds, n=64):
    envs = gym.vector.SyncVectorEnv([lambda: gym.make(env_id) for _ in range(n)])
    envs.reset(seed=0)
    envs.action_space.seed(0)
    steps, start = 0, time.process_time()
    while time.process_time() - start < seconds:
        for _ in range(100):
            envs.step(envs.action_space.sample())
        steps += 100 * n
    return steps / (time.process_time() - start)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="CPU seconds per measurement")
    parser.add_argument("--envs", default=DEFAULT_ENVS, help="comma-separated env ids")
    args = parser.parse_args()
    try:
        import gymnasium as gym
    except ImportError:
        print("gymnasium is not installed here: no baseline measured "
              "(docs/PERFORMANCE.md quotes figures measured elsewhere)", file=sys.stderr)
        return 2
    print(f"gymnasium {gym.__version__}")
    for env_id in args.envs.split(","):
        try:
            rate = single_env(gym, env_id, args.seconds)
        except Exception as e:  # e.g. the box2d extra missing: report it and go on
            print(f"{env_id}: not measured ({type(e).__name__}: {e})", file=sys.stderr)
            continue
        print(f"{env_id} single env: {rate:,.0f} env steps per CPU second")
        if env_id == "CartPole-v1":
            rate = vector_env(gym, env_id, args.seconds)
            print(f"{env_id} SyncVectorEnv(64): {rate:,.0f} env steps per CPU second")
    return 0


if __name__ == "__main__":
    sys.exit(main())
