"""rein.tracker: runs written from Python read back through `rein runs show --json`, failure
and interruption states, crash safety under SIGKILL, and bad input."""
import json
import os
import signal
import subprocess
import sys
import tempfile
import textwrap
import unittest

import rein

REIN = os.environ["REIN_BIN"]


def show(db, run):
    out = subprocess.run([REIN, "runs", "show", str(run), "--db", db, "--json"],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)


class Tracking(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.db = os.path.join(self.dir.name, "runs.db")

    def tearDown(self):
        self.dir.cleanup()

    def test_a_run_round_trips_through_rein_runs(self):
        artifact = os.path.join(self.dir.name, "model.bin")
        open(artifact, "wb").close()
        with rein.tracker.start_run(self.db, name="py-run", params={"lr": 3e-4, "n": 4,
                                    "relu": True, "net": "mlp"}, tags=["a"], env="CartPole-v1",
                                    algorithm="custom", seed=3) as run:
            for i in range(1000):
                run.log({"loss": 1.0 / (i + 1), "step_count": i}, step=10 * i)
            run.add_tag("b")
            run.log_params({"gamma": 0.99})
            run.log_artifact(artifact, kind="checkpoint", step=9990)
            run.set_summary({"best": 1.5})
        r = show(self.db, "py-run")
        self.assertEqual(r["status"], "finished")
        self.assertEqual((r["env"], r["algorithm"], r["seed"]), ("CartPole-v1", "custom", 3))
        self.assertEqual(sorted(r["tags"]), ["a", "b"])
        self.assertEqual(r["summary"], {"best": 1.5})
        self.assertEqual(r["final"]["loss"], {"step": 9990, "value": 1.0 / 1000, "points": 1000})
        self.assertEqual(r["final"]["step_count"]["value"], 999)
        self.assertEqual(r["artifacts"], [{"kind": "checkpoint", "path": artifact, "step": 9990}])
        params = r["params"]
        self.assertEqual(params["lr"], 3e-4)
        self.assertEqual((params["n"], params["relu"], params["net"]), (4, True, "mlp"))
        self.assertEqual(params["gamma"], 0.99)

    def test_steps_default_to_the_next_one(self):
        with rein.tracker.start_run(self.db, name="auto") as run:
            run.log({"x": 1})
            run.log({"x": 2})
            run.log({"x": 3}, step=10)
            run.log({"x": 4})
        self.assertEqual(show(self.db, "auto")["final"]["x"], {"step": 11, "value": 4, "points": 4})

    def test_an_exception_fails_the_run_and_is_not_swallowed(self):
        with self.assertRaises(ZeroDivisionError):
            with rein.tracker.start_run(self.db, name="boom") as run:
                run.log({"x": 1}, step=0)
                1 / 0
        r = show(self.db, "boom")
        self.assertEqual(r["status"], "failed")
        self.assertIn("ZeroDivisionError", r["error"])
        with self.assertRaises(KeyboardInterrupt):
            with rein.tracker.start_run(self.db, name="stopped"):
                raise KeyboardInterrupt
        self.assertEqual(show(self.db, "stopped")["status"], "interrupted")

    def test_kill_9_leaves_a_crashed_run_with_its_committed_points(self):
        script = textwrap.dedent(f"""
            import os, signal, rein
            run = rein.tracker.start_run({self.db!r}, name="killed")
            for i in range(5000):
                run.log({{"x": float(i)}}, step=i)
            run.flush()
            run.log({{"x": -1.0}}, step=5000)  # buffered, maybe never committed
            os.kill(os.getpid(), signal.SIGKILL)
        """)
        p = subprocess.run([sys.executable, "-c", script], env=dict(os.environ))
        self.assertEqual(p.returncode, -signal.SIGKILL)
        r = show(self.db, "killed")
        self.assertEqual(r["status"], "crashed")
        self.assertGreaterEqual(r["final"]["x"]["points"], 5000)


class BadInput(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.db = os.path.join(self.dir.name, "runs.db")
        self.run = rein.tracker.start_run(self.db, name="bad")

    def tearDown(self):
        if self.run.active:
            self.run.finish()
        self.dir.cleanup()

    def test_metrics(self):
        with self.assertRaisesRegex(rein.InvalidArgument, "metric 'x' must be a number, got str"):
            self.run.log({"x": "1"}, step=0)
        with self.assertRaisesRegex(rein.InvalidArgument, "metric names must be str"):
            self.run.log({1: 1.0}, step=0)
        with self.assertRaisesRegex(rein.InvalidArgument, "step must be a non-negative int"):
            self.run.log({"x": 1.0}, step=-1)
        with self.assertRaisesRegex(rein.InvalidArgument, "metrics must be a dict"):
            self.run.log([1.0])

    def test_params_and_status(self):
        with self.assertRaisesRegex(rein.InvalidArgument, "param 'p' must be a bool, int, float or str"):
            self.run.log_params({"p": [1]})
        with self.assertRaisesRegex(rein.InvalidArgument, "status must be 'finished'"):
            self.run.finish("done")

    def test_after_finish(self):
        self.run.finish()
        with self.assertRaisesRegex(rein.Error, "has finished"):
            self.run.log({"x": 1.0}, step=0)

    def test_bad_database(self):
        with self.assertRaisesRegex(rein.Error, "unable to open"):
            rein.tracker.start_run(os.path.join(self.dir.name, "no", "such", "dir.db"))
        junk = os.path.join(self.dir.name, "junk.db")
        with open(junk, "w") as f:
            f.write("not a database" * 100)
        with self.assertRaises(rein.Error):
            rein.tracker.start_run(junk)


if __name__ == "__main__":
    unittest.main()
