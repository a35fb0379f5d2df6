"""rein.serve: Python envs served by rein's native server and reached as remote:// envs."""
import unittest

import numpy as np

import rein


class Corridor:
    """A NumPy-only env: walk right to x = 5."""
    observation_space = rein.spaces.Box(0.0, 5.0, shape=(1,))
    action_space = rein.spaces.Discrete(2)

    def reset(self, *, seed=None, options=None):
        self.x = 0.0
        return np.array([self.x], np.float32), {"start": 1}

    def step(self, action):
        self.x = max(0.0, self.x + (1.0 if action == 1 else -1.0))
        done = self.x >= 5.0
        return np.array([self.x], np.float32), (1.0 if done else -0.1), done, False, {"x": self.x}


class Exploding(Corridor):
    def step(self, action):
        raise RuntimeError("the corridor collapsed")


class Wordy(Corridor):
    def reset(self, *, seed=None, options=None):
        return "start", {}


class Serving(unittest.TestCase):
    def test_a_numpy_class_is_served_and_stepped_remotely(self):
        with rein.serve(Corridor, port=0, block=False) as server:
            env = rein.make(server.url)
            obs, info = env.reset(seed=0)
            np.testing.assert_array_equal(obs, [0.0])
            self.assertEqual(info, {"start": 1.0})
            rewards = [env.step(1)[1] for _ in range(4)]
            obs, reward, terminated, truncated, info = env.step(1)
            self.assertEqual((obs[0], reward, terminated, truncated), (5.0, 1.0, True, False))
            self.assertEqual(rewards, [-0.1] * 4)
            self.assertEqual(info, {"x": 5.0})
            self.assertEqual(server.steps, 5)
            env.close()

    def test_a_served_rein_env_replays_the_local_episode(self):
        with rein.serve(lambda: rein.make("CartPole-v1"), port=0, block=False) as server:
            remote, local = rein.make(server.url), rein.make("CartPole-v1")
            np.testing.assert_array_equal(remote.reset(seed=5)[0], local.reset(seed=5)[0])
            for t in range(100):
                a = t % 3 % 2
                r, l = remote.step(a), local.step(a)
                np.testing.assert_array_equal(r[0], l[0])
                self.assertEqual(r[1:4], l[1:4])
                if l[2] or l[3]:
                    np.testing.assert_array_equal(remote.reset()[0], local.reset()[0])

    def test_each_client_gets_its_own_env_and_vectors_work(self):
        with rein.serve(Corridor, port=0, block=False) as server:
            venv = rein.make_vec(server.url, 3)
            venv.reset(seed=0)
            for _ in range(5):
                obs, rewards, terminated, *_ = venv.step(np.ones(3, np.int64))
            self.assertTrue(terminated.all())
            venv.close()

    def test_env_id_and_time_limit(self):
        with rein.serve(Corridor, port=0, block=False, env_id="MyCorridor-v0",
                        max_episode_steps=3) as server:
            env = rein.make(server.url)
            env.reset()
            flags = [env.step(0)[3] for _ in range(3)]
            self.assertEqual(flags, [False, False, True])
            with rein.serve(Corridor, port=0, block=False, env_id="MyCorridor-v0") as second:
                rein.make(second.url).reset()  # a second server of the same name serves too
        with self.assertRaisesRegex(rein.InvalidArgument, "max_episode_steps must be >= 1"):
            rein.serve(Corridor, port=0, block=False, max_episode_steps=0)

    def test_a_python_exception_reaches_the_client_with_its_message(self):
        with rein.serve(Exploding, port=0, block=False) as server:
            env = rein.make(server.url)
            env.reset()
            with self.assertRaisesRegex(rein.Error, "the corridor collapsed"):
                env.step(1)

    def test_an_observation_that_is_not_numbers_is_an_error_not_a_crash(self):
        with rein.serve(Wordy, port=0, block=False) as server:
            env = rein.make(server.url)
            with self.assertRaisesRegex(rein.Error, "observation: expected numbers"):
                env.reset()

    def test_bad_envs_and_arguments(self):
        class NoSpaces:
            observation_space = "pixels"
            action_space = rein.spaces.Discrete(2)
        with self.assertRaisesRegex(rein.Error, "observation_space is not a Discrete, Box"):
            rein.serve(NoSpaces, port=0, block=False)
        with self.assertRaisesRegex(rein.InvalidArgument, "port must be in 0..65535"):
            rein.serve(Corridor, port=70000, block=False)
        with self.assertRaisesRegex(rein.InvalidArgument, "env must be an env class"):
            rein.serve(42, port=0, block=False)


if __name__ == "__main__":
    unittest.main()
