"""One env through rein.make: Gymnasium's API shape, seeding, spaces, rendering, closing, and an
exception (never an abort) for every bad input."""
import unittest

import numpy as np

import rein


class ApiShape(unittest.TestCase):
    def test_reset_and_step_return_gymnasium_tuples(self):
        env = rein.make("CartPole-v1")
        obs, info = env.reset(seed=0)
        self.assertIsInstance(obs, np.ndarray)
        self.assertEqual((obs.shape, obs.dtype), ((4,), np.float32))
        self.assertEqual(info, {})
        out = env.step(1)
        self.assertEqual(len(out), 5)
        obs, reward, terminated, truncated, info = out
        self.assertIsInstance(reward, float)
        self.assertIsInstance(terminated, bool)
        self.assertIsInstance(truncated, bool)
        self.assertIsInstance(info, dict)
        self.assertTrue(env.observation_space.contains(obs))

    def test_returned_observations_are_not_overwritten_by_later_steps(self):
        env = rein.make("CartPole-v1")
        first, _ = env.reset(seed=0)
        kept = first.copy()
        env.step(0)
        np.testing.assert_array_equal(first, kept)

    def test_spec_and_time_limit(self):
        env = rein.make("CartPole-v1")
        self.assertEqual(env.spec.id, "CartPole-v1")
        self.assertEqual(env.spec.max_episode_steps, 500)
        self.assertEqual(env.spec.reward_threshold, 475.0)
        short = rein.make("Pendulum-v1", max_episode_steps=3)
        short.reset(seed=0)
        flags = [short.step(np.zeros(1, np.float32))[3] for _ in range(3)]
        self.assertEqual(flags, [False, False, True])

    def test_kwargs_reach_the_env(self):
        heavy = rein.make("Pendulum-v1", g=20.0)
        light = rein.make("Pendulum-v1", g=1.0)
        a = np.zeros(1, np.float32)
        heavy.reset(seed=3)
        light.reset(seed=3)
        self.assertNotEqual(heavy.step(a)[0][2], light.step(a)[0][2])
        lake = rein.make("FrozenLake-v1", is_slippery=False)
        lake.reset(seed=0)
        self.assertEqual(lake.step(2)[0], 1)  # right, deterministically

    def test_image_observations_are_uint8_arrays(self):
        env = rein.make("CarRacing-v3", continuous=False)
        obs, _ = env.reset(seed=0)
        self.assertEqual((obs.shape, obs.dtype), ((96, 96, 3), np.uint8))
        self.assertEqual(repr(env.observation_space), "Box(0, 255, (96, 96, 3), uint8)")
        self.assertTrue(env.observation_space.contains(obs))
        self.assertEqual(env.step(3)[0].dtype, np.uint8)

    def test_image_wrappers_as_a_make_argument(self):
        # Gymnasium's GrayscaleObservation formula on the resized frame, checked with NumPy.
        plain = rein.make("CarRacing-v3", continuous=False,
                          wrappers="ResizeObservation(shape=48x48)")
        grey = rein.make("CarRacing-v3", continuous=False,
                         wrappers=["ResizeObservation(shape=48x48)",
                                   "GrayscaleObservation(keep_dim=true)"])
        rgb, _ = plain.reset(seed=4)
        obs, _ = grey.reset(seed=4)
        self.assertEqual(repr(grey.observation_space), "Box(0, 255, (48, 48, 1), uint8)")
        want = np.sum(np.multiply(rgb, np.array([0.2125, 0.7154, 0.0721])), axis=-1)
        np.testing.assert_array_equal(obs[..., 0], want.astype(np.uint8))
        stacked = rein.make("CarRacing-v3", wrappers="FrameStackObservation(stack_size=3)")
        self.assertEqual(stacked.reset(seed=0)[0].shape, (3, 96, 96, 3))
        with self.assertRaises(rein.InvalidArgument):
            rein.make("CarRacing-v3", wrappers="GreyObservation")

    def test_discrete_observations_are_python_ints(self):
        env = rein.make("Taxi-v4")
        obs, info = env.reset(seed=0)
        self.assertIsInstance(obs, int)
        self.assertIn("prob", info)

    def test_every_registered_env_is_reachable(self):
        ids = [s.id for s in rein.list_envs()]
        self.assertIn("CartPole-v1", ids)
        self.assertIn("LunarLander-v3", ids)
        for env_id in ids:
            with rein.make(env_id) as env:
                obs, _ = env.reset(seed=1)
                env.action_space.seed(1)
                step = env.step(env.action_space.sample())
                self.assertTrue(env.observation_space.contains(step[0]), env_id)


class Seeding(unittest.TestCase):
    def test_same_seed_same_episode_and_unseeded_reset_continues(self):
        a, b = rein.make("CartPole-v1"), rein.make("CartPole-v1")
        np.testing.assert_array_equal(a.reset(seed=7)[0], b.reset(seed=7)[0])
        np.testing.assert_array_equal(a.reset()[0], b.reset()[0])  # same stream continues
        self.assertFalse(np.array_equal(a.reset(seed=7)[0], a.reset(seed=8)[0]))

    def test_reset_options(self):
        env = rein.make("CartPole-v1")
        obs, _ = env.reset(seed=0, options={"low": -0.001, "high": 0.001})
        self.assertTrue(np.all(np.abs(obs) <= 0.001))


class Spaces(unittest.TestCase):
    def test_discrete(self):
        s = rein.make("CartPole-v1").action_space
        self.assertEqual((s.n, s.start, s.shape, s.dtype), (2, 0, (), np.int64))
        s.seed(0)
        draws = [int(s.sample()) for _ in range(20)]
        rng = np.random.default_rng(0)
        self.assertEqual(draws, [int(rng.integers(2)) for _ in range(20)])
        self.assertTrue(s.contains(1) and s.contains(np.int64(0)))
        self.assertFalse(s.contains(2) or s.contains(1.0) or s.contains(-1))

    def test_box(self):
        s = rein.make("Pendulum-v1").action_space
        self.assertEqual((s.shape, s.dtype), ((1,), np.float32))
        np.testing.assert_array_equal(s.low, [-2.0])
        np.testing.assert_array_equal(s.high, [2.0])
        s.seed(5)
        x = s.sample()
        self.assertTrue(s.contains(x))
        s.seed(5)
        np.testing.assert_array_equal(s.sample(), x)
        self.assertFalse(s.contains(np.array([3.0], np.float32)))
        self.assertFalse(s.contains(np.zeros(2, np.float32)))
        obs_space = rein.make("CartPole-v1").observation_space
        self.assertTrue(np.isinf(obs_space.high[1]))
        self.assertEqual(str(s), "Box(-2.0, 2.0, (1,), float32)")

    def test_multi_discrete(self):
        s = rein.make("Blackjack-v1").observation_space
        np.testing.assert_array_equal(s.nvec, [32, 11, 2])
        s.seed(1)
        self.assertTrue(all(s.contains(s.sample()) for _ in range(100)))
        self.assertFalse(s.contains(np.array([32, 0, 0])))


class Rendering(unittest.TestCase):
    def test_text_frames_for_toy_text_and_none_without_a_mode(self):
        env = rein.make("FrozenLake-v1", render_mode="ansi")
        env.reset(seed=0)
        self.assertIn("F", env.render())
        self.assertEqual(env.metadata["render_modes"], ["rgb_array", "ansi"])
        plain = rein.make("CartPole-v1")
        plain.reset(seed=0)
        self.assertIsNone(plain.render())

    def test_rgb_frames_are_gymnasiums_size_and_follow_the_state(self):
        env = rein.make("CartPole-v1", render_mode="rgb_array")
        self.assertEqual(env.metadata["render_modes"], ["rgb_array"])
        env.reset(seed=0)
        first = env.render()
        self.assertEqual((first.shape, first.dtype), ((400, 600, 3), np.uint8))
        self.assertTrue((first[0, 0] == 255).all())  # white sky, as Gymnasium draws it
        for _ in range(10):
            env.step(1)
        self.assertFalse(np.array_equal(first, env.render()))  # the cart moved
        lander = rein.make("LunarLander-v3", render_mode="rgb_array")
        lander.reset(seed=1)
        self.assertEqual(lander.render().shape, (400, 600, 3))

    def test_unsupported_render_mode_is_refused(self):
        with self.assertRaisesRegex(rein.InvalidArgument, "render_mode 'human'"):
            rein.make("CartPole-v1", render_mode="human")


class BadInput(unittest.TestCase):
    """Each case raises a rein exception (a ValueError for a bad argument) with a message."""

    def assert_invalid(self, pattern, f, *args, **kwargs):
        with self.assertRaisesRegex(rein.InvalidArgument, pattern):
            f(*args, **kwargs)

    def test_exception_types(self):
        self.assertTrue(issubclass(rein.Error, RuntimeError))
        self.assertTrue(issubclass(rein.InvalidArgument, rein.Error))
        self.assertTrue(issubclass(rein.InvalidArgument, ValueError))

    def test_make(self):
        self.assert_invalid("unknown env id 'CartPol-v1'.*did you mean 'CartPole-v1'",
                            rein.make, "CartPol-v1")
        self.assert_invalid("unknown argument 'gg'", rein.make, "Pendulum-v1", gg=1.0)
        self.assert_invalid("argument 'g' must be a str, bool, int, float, None or a list",
                            rein.make, "Pendulum-v1", g={"a": 1.0})
        self.assert_invalid("argument 'g' holds a dict", rein.make, "Pendulum-v1", g=[{}])
        self.assert_invalid("id must be a str", rein.make, 3)
        self.assert_invalid("max_episode_steps", rein.make, "CartPole-v1", max_episode_steps=-2)

    def test_reset(self):
        env = rein.make("CartPole-v1")
        self.assert_invalid("seed must be non-negative", env.reset, seed=-1)
        self.assert_invalid("seed must be None or a non-negative int, got float", env.reset, seed=1.5)
        self.assert_invalid("seed must be below 2\\*\\*64", env.reset, seed=2 ** 64)
        self.assert_invalid("options must be a dict", env.reset, options=[1])

    def test_reset_options_that_break_the_physics(self):
        # The env's own reset() refuses them, with the message the C++ API gives, as the
        # InvalidArgument make() raises for its kwargs (it was a plain rein.Error).
        pend = rein.make("Pendulum-v1")
        self.assert_invalid("Pendulum-v1.reset: option 'x_init' must be a finite number in "
                            "\\[-1e\\+307, 1e\\+307\\], got inf",
                            pend.reset, seed=0, options={"x_init": float("inf")})
        self.assert_invalid("Pendulum-v1.reset: unknown option 'x'", pend.reset, options={"x": 1})
        self.assertEqual(pend.reset(seed=0, options={"x_init": 1.0})[0].shape, (3,))
        self.assert_invalid("'goal_velocity' must be a number <= 0.07, got nan",
                            rein.make, "MountainCar-v0", goal_velocity=float("nan"))
        acrobot = rein.make("Acrobot-v1")
        acrobot.reset(seed=0)
        before = acrobot.state
        with self.assertRaisesRegex(rein.InvalidArgument, "Acrobot-v1.set_state: theta1 must be "
                                    "a finite number in \\[-100, 100\\], got 1e\\+300"):
            acrobot.state = [1e300, 0.0, 0.0, 0.0]
        with self.assertRaisesRegex(rein.InvalidArgument, "expected 4 values"):
            acrobot.state = [0.0]
        self.assertEqual(acrobot.state, before)

    def test_wrapper_sizes_beyond_any_use(self):
        with self.assertRaisesRegex(rein.Error, "FrameStackObservation: stack_size must be an "
                                    "integer in \\[1, 1024\\], got 100000000"):
            rein.make("CarRacing-v3", wrappers="FrameStackObservation(stack_size=100000000)")
        with self.assertRaisesRegex(rein.Error, "FrameSkip: skip must be an integer in "
                                    "\\[1, 1000\\], got 1001"):
            rein.make("CarRacing-v3", wrappers="FrameSkip(skip=1001)")

    def test_step(self):
        env = rein.make("CartPole-v1")
        with self.assertRaisesRegex(rein.Error, "before reset"):
            env.step(0)
        env.reset(seed=0)
        self.assert_invalid("action 2 is outside Discrete\\(2\\)", env.step, 2)
        self.assert_invalid("action -1 is outside", env.step, -1)
        self.assert_invalid("must be an integer for Discrete\\(2\\), got float", env.step, 1.0)
        self.assert_invalid("must be an integer", env.step, "1")
        self.assert_invalid("outside", env.step, 2 ** 70)
        pend = rein.make("Pendulum-v1")
        pend.reset(seed=0)
        self.assert_invalid("must have shape \\(1,\\).*got shape \\(2,\\)", pend.step, [0.1, 0.2])
        self.assert_invalid("expected numbers", pend.step, np.array(["a"]))
        self.assert_invalid("expected numbers, got an array of dtype object", pend.step, object())
        pend.step(np.array([0.5]))  # float64 is converted
        pend.step([0.5])            # and so is a list

    def test_plugin(self):
        with self.assertRaisesRegex(rein.Error, "no-such-plugin.so"):
            rein.load_plugin("no-such-plugin.so")

    def test_closed_env(self):
        env = rein.make("CartPole-v1")
        env.close()
        env.close()  # idempotent
        with self.assertRaisesRegex(rein.Error, "closed"):
            env.reset()

    def test_remote_without_server(self):
        with self.assertRaises(rein.Error):
            rein.make("remote://127.0.0.1:1", connect_timeout_ms=500)


if __name__ == "__main__":
    unittest.main()
