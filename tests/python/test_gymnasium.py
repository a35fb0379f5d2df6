"""With Gymnasium importable, rein envs are Gymnasium envs (skipped where it is not installed;
without it, the other suites check the module works alone)."""
import importlib.util
import unittest

import numpy as np

import rein

HAVE_GYMNASIUM = importlib.util.find_spec("gymnasium") is not None


@unittest.skipUnless(HAVE_GYMNASIUM, "gymnasium is not installed")
class GymnasiumIntegration(unittest.TestCase):
    def test_envs_and_spaces_are_gymnasium_types(self):
        import gymnasium as gym
        env = rein.make("CartPole-v1")
        self.assertIsInstance(env, gym.Env)
        self.assertIsInstance(env.observation_space, gym.spaces.Box)
        self.assertIsInstance(env.action_space, gym.spaces.Discrete)
        self.assertIsInstance(rein.make_vec("CartPole-v1", 2), gym.vector.VectorEnv)

    def test_the_checker_accepts_a_rein_env(self):
        from gymnasium.utils.env_checker import check_env
        check_env(rein.make("CartPole-v1"), skip_render_check=True)
        check_env(rein.make("Pendulum-v1"), skip_render_check=True)

    def test_gymnasium_make_reaches_rein_ids_and_matches_gymnasium(self):
        import gymnasium as gym
        ours = gym.make("rein/CartPole-v1")
        theirs = gym.make("CartPole-v1")
        np.testing.assert_array_equal(ours.reset(seed=3)[0], theirs.reset(seed=3)[0])
        for t in range(50):
            a = t % 2
            o, t_ = ours.step(a), theirs.step(a)
            np.testing.assert_array_equal(o[0], t_[0])
            self.assertEqual(o[1:4], t_[1:4])


class WithoutGymnasium(unittest.TestCase):
    def test_rein_spaces_when_gymnasium_is_absent(self):
        if HAVE_GYMNASIUM:
            self.skipTest("gymnasium is installed")
        env = rein.make("CartPole-v1")
        self.assertIsInstance(env.observation_space, rein.spaces.Box)
        self.assertIsInstance(env.action_space, rein.spaces.Discrete)
        self.assertEqual(type(env).__mro__[-1], object)


if __name__ == "__main__":
    unittest.main()
