"""Plug-in envs (rein.load_plugin) and remote envs (remote://HOST:PORT) through the Python API."""
import os
import subprocess
import sys
import unittest

import numpy as np

import rein
from support import SOURCE_DIR


class Plugins(unittest.TestCase):
    def test_a_loaded_plugin_env_is_made_and_stepped(self):
        ids = rein.load_plugin(os.environ["REIN_TEST_PLUGIN_CORRIDOR"])
        self.assertGreaterEqual(len(ids), 1)
        self.assertTrue(set(ids) <= {s.id for s in rein.list_envs()})
        env = rein.make(ids[0])
        obs, _ = env.reset(seed=0)
        self.assertTrue(env.observation_space.contains(obs))
        venv = rein.make_vec(ids[0], 4)
        venv.reset(seed=0)
        env.action_space.seed(0)
        venv.step(np.array([env.action_space.sample() for _ in range(4)]))

    def test_a_plugin_of_another_abi_is_refused_with_the_reason(self):
        with self.assertRaisesRegex(rein.Error, "ABI|version"):
            rein.load_plugin(os.environ["REIN_TEST_PLUGIN_OLD_ABI"])


class Remote(unittest.TestCase):
    def setUp(self):
        script = os.path.join(SOURCE_DIR, "examples", "remote_env", "cartpole.py")
        self.server = subprocess.Popen([sys.executable, script, "--port", "0", "--n-envs", "1"],
                                       stdout=subprocess.PIPE, text=True)
        line = self.server.stdout.readline()
        self.url = line[line.index("remote://"):].strip()

    def tearDown(self):
        self.server.terminate()
        self.server.wait(timeout=10)
        self.server.stdout.close()

    def test_a_served_env_steps_like_a_local_one(self):
        env = rein.make(self.url)
        obs, _ = env.reset(seed=0)
        self.assertEqual(obs.shape, (4,))
        obs, reward, terminated, truncated, _ = env.step(1)
        self.assertEqual(reward, 1.0)
        with self.assertRaisesRegex(rein.InvalidArgument, "outside Discrete\\(2\\)"):
            env.step(3)
        env.close()

    def test_a_vector_of_remote_envs(self):
        venv = rein.make_vec(self.url, 2)
        venv.reset(seed=0)
        steps = 0
        for _ in range(60):
            obs, rewards, terminated, truncated, _ = venv.step(np.ones(2, np.int64))
            steps += 1
        self.assertEqual(obs.shape, (2, 4))
        venv.close()


if __name__ == "__main__":
    unittest.main()
