"""Reference counts and memory over 100,000 steps: the binding must not leak Python objects or
native memory per step or per exception."""
import gc
import os
import sys
import unittest

import numpy as np

import rein

STEPS = 100_000


def rss_bytes():
    with open("/proc/self/statm", encoding="ascii") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def live_objects():
    gc.collect()
    return len(gc.get_objects())


class Leaks(unittest.TestCase):
    def run_and_measure(self, body):
        body(STEPS // 10)  # warm-up: caches, allocator pools
        objects, rss = live_objects(), rss_bytes()
        body(STEPS)
        return live_objects() - objects, rss_bytes() - rss

    def test_single_env_steps(self):
        env = rein.make("CartPole-v1")
        env.reset(seed=0)

        def body(n):
            for _ in range(n):
                obs, _, terminated, truncated, info = env.step(1)
                if terminated or truncated:
                    env.reset()

        objects, rss = self.run_and_measure(body)
        self.assertLess(objects, 50)
        self.assertLess(rss, 4 << 20)
        obs, _ = env.reset()
        self.assertEqual(sys.getrefcount(obs), 2)  # only `obs` and the call's argument

    def test_vector_env_steps_with_infos_and_views(self):
        venv = rein.make_vec("Taxi-v4", 8)  # every step has infos (prob, action_mask)
        view = rein.make_vec("CartPole-v1", 8, vector_kwargs={"copy": False})
        venv.reset(seed=0)
        view.reset(seed=0)
        actions = np.zeros(8, np.int64)

        def body(n):
            for _ in range(n // 8):
                venv.step(actions)
                view.step(actions)

        objects, rss = self.run_and_measure(body)
        self.assertLess(objects, 50)
        self.assertLess(rss, 4 << 20)

    def test_tracker_logging(self):
        import tempfile  # noqa: PLC0415
        with tempfile.TemporaryDirectory() as d:
            with rein.tracker.start_run(os.path.join(d, "runs.db"), name="leaks") as run:
                step = [0]

                def body(n):
                    for _ in range(n):
                        run.log({"loss": 0.5, "return": step[0]}, step=step[0])
                        step[0] += 1
                    run.flush()  # committed points leave the buffer

                objects, rss = self.run_and_measure(body)
        self.assertLess(objects, 50)
        self.assertLess(rss, 8 << 20)

    def test_exceptions(self):
        env = rein.make("CartPole-v1")
        env.reset(seed=0)

        def body(n):
            for _ in range(n // 10):
                try:
                    env.step(7)
                except rein.InvalidArgument:
                    pass
                try:
                    rein.make("CartPol-v1")
                except rein.InvalidArgument:
                    pass

        objects, rss = self.run_and_measure(body)
        self.assertLess(objects, 50)
        self.assertLess(rss, 4 << 20)


if __name__ == "__main__":
    unittest.main()
