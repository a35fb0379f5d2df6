"""Gymnasium's recorded episodes replayed through the Python API: reset seeding, sampled
actions, observations, rewards, flags and infos must equal Gymnasium's exactly."""
import unittest

import numpy as np

import rein
from support import flat, read_jsonl

# Box2D physics differs from Gymnasium's after reset (the C++ tests bound the difference).
BOX2D = ("LunarLander", "BipedalWalker")
# rein's physical state of each env, settable to replay a recorded episode from its start state.
STATE_ENVS = ["CartPole-v1", "Pendulum-v1", "MountainCar-v0", "MountainCarContinuous-v0",
              "Acrobot-v1", "FrozenLake-v1", "FrozenLake8x8-v1", "CliffWalking-v1", "Taxi-v4"]


def assert_info(test, info, expected, where):
    test.assertEqual(sorted(info), sorted(expected), where)
    for key, value in expected.items():
        test.assertEqual(flat(np.asarray(info[key]).tolist()), flat(value), f"{where} info {key}")


class SeededEpisodes(unittest.TestCase):
    def test_every_env_resets_and_samples_as_gymnasium(self):
        lines = [l for l in read_jsonl("seeding.jsonl") if l["kind"] == "reset_and_sample"]
        self.assertGreaterEqual(len(lines), 60)
        checked = 0
        for l in lines:
            if l["env"].startswith(BOX2D):
                continue
            where = f"{l['env']} seed {l['seed']}"
            env = rein.make(l["env"], **l["kwargs"])
            obs, info = env.reset(seed=l["seed"])
            self.assertEqual(flat(np.asarray(obs).tolist()), flat(l["reset_obs"]), where)
            assert_info(self, info, l["reset_info"], where)
            env.action_space.seed(l["seed"])
            resets = list(l["resets"])
            for t, expected_action in enumerate(l["actions"]):
                at = f"{where} step {t}"
                if resets and resets[0][0] == t:
                    again, _ = env.reset()
                    self.assertEqual(flat(np.asarray(again).tolist()), flat(resets.pop(0)[1]), at)
                action = env.action_space.sample()
                self.assertEqual(flat(np.asarray(action).tolist()), flat(expected_action), at)
                obs, reward, terminated, truncated, info = env.step(action)
                self.assertEqual(flat(np.asarray(obs).tolist()), flat(l["obs"][t]), at)
                self.assertEqual(reward, l["rewards"][t], at)
                self.assertEqual(terminated, l["terminated"][t], at)
                self.assertEqual(truncated, l["truncated"][t], at)
                assert_info(self, info, l["infos"][t], at)
            self.assertEqual(resets, [], where)
            checked += 1
        self.assertGreaterEqual(checked, 50)


class RecordedEpisodes(unittest.TestCase):
    def test_episodes_replay_from_their_start_state(self):
        for env_id in STATE_ENVS:
            for e, ep in enumerate(read_jsonl(env_id + ".jsonl")):
                where = f"{env_id} episode {e}"
                env = rein.make(env_id, **ep["kwargs"])
                env.reset(seed=0)
                env.state = flat(ep["init_state"])
                for t, action in enumerate(ep["actions"]):
                    if isinstance(action, list):
                        action = np.asarray(action, dtype=np.float32)
                    obs, reward, terminated, truncated, _ = env.step(action)
                    at = f"{where} step {t}"
                    expected = np.asarray(ep["obs"][t], dtype=np.asarray(obs).dtype)
                    np.testing.assert_array_equal(np.asarray(obs), expected, err_msg=at)
                    self.assertEqual(reward, ep["rewards"][t], at)
                    self.assertEqual(terminated, ep["terminated"][t], at)
                    self.assertEqual(truncated, ep["truncated"][t], at)


if __name__ == "__main__":
    unittest.main()
