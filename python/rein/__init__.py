"""rein from Python: fast environments with Gymnasium's API, experiment tracking and training.

    import rein
    env = rein.make("CartPole-v1")
    obs, info = env.reset(seed=0)
    obs, reward, terminated, truncated, info = env.step(env.action_space.sample())

See docs/PYTHON.md.
"""
from ._rein import Error, InvalidArgument
from .envs import Env, EnvSpec, VectorEnv, list_envs, load_plugin, make, make_vec
from . import spaces, tracker
from .serve import Server, serve
from .training import EvalResult, Policy, RunResult, evaluate, load_policy, train

__all__ = ["Error", "InvalidArgument", "Env", "EnvSpec", "VectorEnv", "list_envs",
           "load_plugin", "make", "make_vec", "spaces", "tracker", "EvalResult", "Policy",
           "RunResult", "evaluate", "load_policy", "train", "Server", "serve"]


def _register_with_gymnasium():
    # rein ids become gymnasium ids under the "rein/" namespace: gymnasium.make("rein/CartPole-v1").
    try:
        import gymnasium  # noqa: PLC0415 (optional)
    except ImportError:
        return
    for spec in list_envs():
        gid = "rein/" + spec.id
        if gid not in gymnasium.registry:
            gymnasium.register(id=gid, entry_point="rein.envs:make", kwargs={"id": spec.id},
                               max_episode_steps=None, disable_env_checker=True,
                               order_enforce=False)


_register_with_gymnasium()
