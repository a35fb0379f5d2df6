"""rein.make_vec: batched arrays, Gymnasium 1.x next-step autoreset, same-step on request,
threaded = sync, copies and views, and bad input."""
import unittest

import numpy as np

import rein


def replay_next_step(test, venv, n, steps, seed):
    """Checks venv against n single envs driven by Gymnasium's next-step rule."""
    singles = [rein.make(venv.spec.id) for _ in range(n)]
    obs, _ = venv.reset(seed=seed)
    for i, s in enumerate(singles):
        np.testing.assert_array_equal(obs[i], s.reset(seed=seed + i)[0])
    ended = [False] * n
    rng = np.random.default_rng(seed)
    episodes = 0
    for t in range(steps):
        actions = rng.integers(0, 2, size=n)
        obs, rewards, terminated, truncated, _ = venv.step(actions)
        for i, s in enumerate(singles):
            if ended[i]:  # this step resets env i, ignoring its action
                expected_obs, _ = s.reset()
                expected = (expected_obs, 0.0, False, False)
                ended[i] = False
            else:
                o, r, te, tr, _ = s.step(int(actions[i]))
                expected = (o, r, te, tr)
                ended[i] = te or tr
                episodes += ended[i]
            np.testing.assert_array_equal(obs[i], expected[0], err_msg=f"step {t} env {i}")
            test.assertEqual((rewards[i], terminated[i], truncated[i]), expected[1:], f"step {t}")
    return episodes


class Batches(unittest.TestCase):
    def test_shapes_dtypes_and_spaces(self):
        venv = rein.make_vec("CartPole-v1", 3)
        self.assertEqual(venv.num_envs, 3)
        self.assertEqual(venv.single_observation_space.shape, (4,))
        self.assertEqual(venv.observation_space.shape, (3, 4))
        self.assertEqual(venv.action_space.shape, (3,))
        obs, infos = venv.reset(seed=0)
        self.assertEqual((obs.shape, obs.dtype), ((3, 4), np.float32))
        self.assertEqual(infos, {})
        obs, rewards, terminated, truncated, infos = venv.step(venv.action_space.sample())
        self.assertEqual((rewards.shape, rewards.dtype), ((3,), np.float64))
        self.assertEqual((terminated.dtype, truncated.dtype), (np.bool_, np.bool_))
        self.assertEqual(venv.metadata["autoreset_mode"], "next_step")

    def test_next_step_autoreset_matches_single_envs(self):
        venv = rein.make_vec("CartPole-v1", 4)
        self.assertGreater(replay_next_step(self, venv, 4, 200, seed=3), 5)

    def test_threaded_matches_single_envs(self):
        venv = rein.make_vec("CartPole-v1", 5, vectorization_mode="threaded",
                             vector_kwargs={"num_threads": 2})
        self.assertGreater(replay_next_step(self, venv, 5, 150, seed=9), 5)

    def test_same_step_autoreset_reports_final_observations(self):
        venv = rein.make_vec("CartPole-v1", 2, vector_kwargs={"autoreset_mode": "same_step"})
        single = rein.make("CartPole-v1")
        venv.reset(seed=0)
        single.reset(seed=0)
        seen = 0
        for _ in range(100):
            obs, _, terminated, truncated, infos = venv.step(np.zeros(2, np.int64))
            o, _, te, tr, _ = single.step(0)
            if te or tr:
                seen += 1
                self.assertTrue(infos["_final_obs"][0])
                np.testing.assert_array_equal(infos["final_obs"][0], o)
                np.testing.assert_array_equal(obs[0], single.reset()[0])
            else:
                np.testing.assert_array_equal(obs[0], o)
        self.assertGreater(seen, 3)

    def test_infos_are_batched_with_masks(self):
        venv = rein.make_vec("Taxi-v4", 3)
        _, infos = venv.reset(seed=0)
        self.assertEqual(infos["action_mask"].shape, (3, 6))
        np.testing.assert_array_equal(infos["_action_mask"], [True, True, True])
        np.testing.assert_array_equal(infos["prob"], [1.0, 1.0, 1.0])

    def test_continuous_and_kwargs(self):
        venv = rein.make_vec("Pendulum-v1", 2, g=9.81)
        venv.reset(seed=0)
        obs, rewards, *_ = venv.step(np.zeros((2, 1)))  # float64 is converted
        self.assertEqual(obs.shape, (2, 3))


class CopiesAndViews(unittest.TestCase):
    def test_copy_true_gives_independent_arrays(self):
        venv = rein.make_vec("CartPole-v1", 2)
        a, _ = venv.reset(seed=0)
        kept = a.copy()
        venv.step(np.ones(2, np.int64))
        np.testing.assert_array_equal(a, kept)

    def test_copy_false_gives_read_only_views_of_one_buffer(self):
        venv = rein.make_vec("CartPole-v1", 2, vector_kwargs={"copy": False})
        a, _ = venv.reset(seed=0)
        b = venv.step(np.ones(2, np.int64))[0]
        self.assertTrue(np.shares_memory(a, b))  # no copy: both view the env's buffer
        self.assertFalse(a.flags.writeable)
        with self.assertRaises(ValueError):
            a[0, 0] = 1.0
        del venv  # the view keeps the buffer alive
        self.assertEqual(b.shape, (2, 4))
        float(b.sum())


class BadInput(unittest.TestCase):
    def setUp(self):
        self.venv = rein.make_vec("CartPole-v1", 3)

    def test_step_before_reset(self):
        with self.assertRaisesRegex(rein.Error, "reset"):
            self.venv.step(np.zeros(3, np.int64))

    def test_bad_actions(self):
        self.venv.reset(seed=0)
        with self.assertRaisesRegex(rein.InvalidArgument, "must have shape \\(3,\\).*got shape \\(2,\\)"):
            self.venv.step(np.zeros(2, np.int64))
        with self.assertRaisesRegex(rein.InvalidArgument, "must hold integers.*float64"):
            self.venv.step(np.zeros(3))
        with self.assertRaisesRegex(rein.InvalidArgument, "actions\\[1\\] = 5 is outside"):
            self.venv.step(np.array([0, 5, 1]))
        with self.assertRaisesRegex(rein.InvalidArgument, "expected numbers"):
            self.venv.step(np.array(["a", "b", "c"]))
        self.venv.step([0, 1, 1])  # a list of ints is fine

    def test_bad_reset_options(self):
        # Refused options raise InvalidArgument, as bad make_vec kwargs do, in both modes.
        for mode in ("sync", "threaded"):
            venv = rein.make_vec("Pendulum-v1", 2, vectorization_mode=mode)
            with self.assertRaisesRegex(rein.InvalidArgument,
                                        "Pendulum-v1.reset: option 'y_init' must be a finite "
                                        "number in \\[-1e\\+19, 1e\\+19\\], got inf"):
                venv.reset(seed=0, options={"y_init": float("inf")})
            with self.assertRaisesRegex(rein.InvalidArgument, "unknown option 'y'"):
                venv.reset(options={"y": 1})
            self.assertEqual(venv.reset(seed=0, options={"y_init": 0.5})[0].shape, (2, 3))

    def test_bad_make_vec_arguments(self):
        for kwargs, pattern in [
            ({"num_envs": 0}, "num_envs must be an int >= 1"),
            ({"num_envs": 2, "vectorization_mode": "async"}, "no process-based 'async'"),
            ({"num_envs": 2, "vectorization_mode": "fast"}, "'sync' or 'threaded'"),
            ({"num_envs": 2, "vector_kwargs": {"autoreset_mode": "never"}}, "autoreset_mode"),
            ({"num_envs": 2, "vector_kwargs": {"copies": False}}, "unknown vector_kwargs"),
            ({"num_envs": 2, "vector_kwargs": {"num_threads": -1}}, "num_threads"),
            ({"num_envs": 2, "gg": 1}, "unknown argument 'gg'"),
        ]:
            with self.assertRaisesRegex(rein.InvalidArgument, pattern):
                rein.make_vec("CartPole-v1", **kwargs)
        with self.assertRaisesRegex(rein.InvalidArgument, "unknown env id"):
            rein.make_vec("Nope-v0", 2)

    def test_closed(self):
        self.venv.close()
        with self.assertRaisesRegex(rein.Error, "closed"):
            self.venv.reset()


if __name__ == "__main__":
    unittest.main()
