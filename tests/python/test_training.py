"""rein.train / rein.evaluate / rein.load_policy: a short PPO run reaching a stated return,
tracked in the database, without holding the GIL; and bad input."""
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import json

import numpy as np

import rein


class Training(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.TemporaryDirectory()
        cls.db = os.path.join(cls.dir.name, "runs.db")
        ticks = [0]
        done = threading.Event()

        def count():  # runs only if train() releases the GIL
            while not done.is_set():
                ticks[0] += 1
                time.sleep(0.001)
        counter = threading.Thread(target=count)
        counter.start()
        try:
            cls.result = rein.train("ppo", "CartPole-v1", steps=30_000, seed=0, db=cls.db,
                                    name="py-ppo", tags=["python"], eval_episodes=10)
        finally:
            done.set()
            counter.join()
        cls.ticks = ticks[0]

    @classmethod
    def tearDownClass(cls):
        cls.dir.cleanup()

    def test_the_run_learns_and_is_recorded(self):
        r = self.result
        self.assertEqual(r.run_name, "py-ppo")
        self.assertGreaterEqual(r.global_step, 30_000)
        self.assertFalse(r.interrupted)
        self.assertTrue(os.path.exists(r.checkpoint))
        self.assertGreaterEqual(r.final_eval.mean_return, 400.0)  # random play: ~22; max 500
        out = subprocess.run([os.environ["REIN_BIN"], "runs", "show", "py-ppo", "--db", self.db,
                              "--json"], check=True, capture_output=True, text=True).stdout
        run = json.loads(out)
        self.assertEqual((run["status"], run["algorithm"], run["env"]), ("finished", "ppo", "CartPole-v1"))
        self.assertIn("python", run["tags"])
        self.assertIn("eval/mean_return", run["final"])

    def test_training_released_the_gil(self):
        self.assertGreater(self.ticks, 20)

    def test_policy_and_evaluation(self):
        policy = rein.load_policy(self.result.checkpoint)
        self.assertEqual((policy.algorithm, policy.env_id), ("ppo", "CartPole-v1"))
        env = rein.make("CartPole-v1")
        obs, _ = env.reset(seed=0)
        batch = np.stack([obs, obs, obs])
        actions = policy(batch)
        self.assertEqual((actions.shape, actions.dtype), ((3,), np.int64))
        single = policy(obs)
        self.assertEqual(single.shape, ())
        self.assertEqual(int(single), int(actions[0]))
        total, done = 0.0, False
        while not done:
            obs, reward, terminated, truncated, _ = env.step(int(policy(obs)))
            total += reward
            done = terminated or truncated
        self.assertGreaterEqual(total, 100.0)
        ev = rein.evaluate(self.result.checkpoint, episodes=5)
        self.assertEqual(len(ev.returns), 5)
        self.assertAlmostEqual(ev.mean_return, float(np.mean(ev.returns)))

    def test_ctrl_c_stops_training_and_leaves_an_interrupted_run(self):
        self._ctrl_c_stops("interrupt.db", "'ppo', 'CartPole-v1'")

    def test_ctrl_c_stops_an_off_policy_collect_phase_that_would_not_end(self):
        # train_freq = 1e12: one phase for the whole run, which Ctrl-C did not stop (Python's
        # handler only sets a flag, and no Python code ran to check it).
        self._ctrl_c_stops("phase.db", "'sac', 'Pendulum-v1', train_freq=10**12")

    def _ctrl_c_stops(self, db_name, train_args):
        db = os.path.join(self.dir.name, db_name)
        script = (
            "import rein\n"
            "try:\n"
            f"    rein.train({train_args}, steps=10_000_000, db={db!r}, name='stopped')\n"
            "except KeyboardInterrupt:\n"
            "    print('interrupted', flush=True)\n")
        p = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
        try:
            deadline = time.time() + 60
            while time.time() < deadline:  # wait until the run exists and has trained a little
                time.sleep(0.5)
                if os.path.exists(db) and subprocess.run(
                        [os.environ["REIN_BIN"], "runs", "show", "stopped", "--db", db, "--json"],
                        capture_output=True).returncode == 0:
                    break
            time.sleep(1.0)
            p.send_signal(signal.SIGINT)
            out, _ = p.communicate(timeout=60)
        finally:
            if p.poll() is None:
                p.kill()
        self.assertEqual(p.returncode, 0)
        self.assertIn("interrupted", out)
        show = subprocess.run([os.environ["REIN_BIN"], "runs", "show", "stopped", "--db", db,
                               "--json"], check=True, capture_output=True, text=True).stdout
        run = json.loads(show)
        self.assertEqual(run["status"], "interrupted")
        self.assertTrue(any(a["kind"] == "checkpoint" for a in run["artifacts"]))

    def test_overrides_reach_the_run_lists_included(self):
        r = rein.train("ppo", "CartPole-v1", steps=512, db=self.db, name="small", n_envs=2,
                       n_steps=128, batch_size=64, net_arch=[16, 16], learning_rate=1e-3,
                       eval_episodes=1)
        out = subprocess.run([os.environ["REIN_BIN"], "runs", "show", r.run_name, "--db", self.db,
                              "--json"], check=True, capture_output=True, text=True).stdout
        params = json.loads(out)["params"]
        self.assertEqual((params["net_arch"], params["learning_rate"], params["n_envs"]),
                         ("16,16", 1e-3, 2))

    def test_log_interval_averages_the_update_points(self):
        # A2C iterations of 2 x 5 = 10 steps: one loss point per 100 steps, or one per iteration.
        counts = {}
        for interval in (100, 0):
            r = rein.train("a2c", "CartPole-v1", steps=400, db=self.db, n_envs=2, n_steps=5,
                           eval_episodes=1, log_interval=interval, name=f"interval-{interval}")
            out = subprocess.run([os.environ["REIN_BIN"], "runs", "export", r.run_name, "--db",
                                  self.db, "--metric", "loss/policy", "--format", "json"],
                                 check=True, capture_output=True, text=True).stdout
            run = json.loads(out)[0]
            self.assertEqual(run["params"]["log_interval"], interval)
            counts[interval] = [p[0] for p in run["metrics"]["loss/policy"]]  # [step, time, value]
        self.assertEqual(counts[100], [100, 200, 300, 400])
        self.assertEqual(counts[0], list(range(10, 401, 10)))

    def test_bad_input(self):
        with self.assertRaisesRegex(rein.InvalidArgument, "log_interval must be >= 0"):
            rein.train("ppo", "CartPole-v1", steps=100, db=self.db, log_interval=-1)
        with self.assertRaisesRegex(rein.InvalidArgument, "log_interval"):
            rein.train("ppo", "CartPole-v1", steps=100, db=self.db, log_interval="often")
        with self.assertRaisesRegex(rein.InvalidArgument, "ppoo"):
            rein.train("ppoo", "CartPole-v1", steps=100, db=self.db)
        with self.assertRaisesRegex(rein.InvalidArgument, "learning_rat"):
            rein.train("ppo", "CartPole-v1", steps=100, db=self.db, learning_rat=0.1)
        with self.assertRaisesRegex(rein.InvalidArgument, "unknown env id"):
            rein.train("ppo", "CartPol-v1", steps=100, db=self.db)
        with self.assertRaises(rein.InvalidArgument):
            rein.evaluate(os.path.join(self.dir.name, "missing.safetensors"))
        with self.assertRaisesRegex(rein.InvalidArgument, "episodes must be >= 1"):
            rein.evaluate(self.result.checkpoint, episodes=0)
        policy = rein.load_policy(self.result.checkpoint)
        with self.assertRaisesRegex(rein.InvalidArgument, "observations must have shape"):
            policy(np.zeros((2, 5), np.float32))
        with self.assertRaisesRegex(rein.InvalidArgument, "expected numbers"):
            policy(np.array(["a", "b", "c", "d"]))


if __name__ == "__main__":
    unittest.main()
