#!/usr/bin/env python3
"""An independent DQN in PyTorch on rein's environments: a cross-check for rein's DQN.

Written from Stable-Baselines3's documented DQN semantics (not its code, and not rein's), with
the rl-baselines3-zoo presets, so that a result of `rein train dqn ENV --seed S` can be told
apart from a bug in rein's DQN: if this script shows the same returns and spread over seeds on
the same env, the algorithm is not the cause. What it mirrors of SB3:
- ReLU MLP Q-network and a target copy (torch's default init), Adam with torch's defaults;
- epsilon linear from 1 to exploration_final_eps over exploration_fraction of the run, updated
  after every env step (the first action, at epsilon 0, is greedy as in SB3); uniform random
  actions before learning_starts;
- train_freq env steps per phase, then gradient_steps updates (-1: as many as env steps of the
  phase) once num_timesteps > learning_starts; a hard target copy every target_update_interval
  env steps; Huber (smooth L1) loss, gradient norm clipped to 10;
- terminations not bootstrapped, truncations bootstrapped from the final observation
  (SB3's handle_timeout_termination); a uniform replay buffer of buffer_size transitions.
Final evaluation as rein's trainer does (rl/trainer.cpp, rl/evaluate.cpp): greedy actions,
8 envs, env i reset once with seed + 1,000,000 + i and then without a seed, running
(episodes + i) // 8 of the episodes.

Run (numpy and torch, e.g. Debian's python3-torch; rein's Python module built):
  PYTHONPATH=build/python python3 bench/reference/dqn_torch.py --env LunarLander-v3 --seed 1
Debian's torch calls the system BLAS: install OpenBLAS (libopenblas0), with which a gradient step
takes a sixth of its time on the reference BLAS (about 5 min of CPU per LunarLander-v3 run).
"""
import argparse
import copy
import random
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

import rein

# rl-baselines3-zoo hyperparams/dqn.yml (the entries of rein's rl/presets/dqn.toml).
PRESETS = {
    "CartPole-v1": dict(steps=50_000, lr=2.3e-3, batch=64, buffer=100_000, learning_starts=1000,
                        gamma=0.99, target_update=10, train_freq=256, gradient_steps=128,
                        expl_fraction=0.16, expl_final=0.04),
    "LunarLander-v3": dict(steps=100_000, lr=6.3e-4, batch=128, buffer=50_000, learning_starts=0,
                           gamma=0.99, target_update=250, train_freq=4, gradient_steps=-1,
                           expl_fraction=0.12, expl_final=0.1),
}
NET_ARCH = [256, 256]
MAX_GRAD_NORM = 10.0


def q_network(obs_dim, n_actions):
    layers, last = [], obs_dim
    for h in NET_ARCH:
        layers += [nn.Linear(last, h), nn.ReLU()]
        last = h
    return nn.Sequential(*layers, nn.Linear(last, n_actions))


class ReplayBuffer:
    def __init__(self, capacity, obs_dim):
        self.obs = np.zeros((capacity, obs_dim), np.float32)
        self.next_obs = np.zeros((capacity, obs_dim), np.float32)
        self.actions = np.zeros(capacity, np.int64)
        self.rewards = np.zeros(capacity, np.float32)
        self.dones = np.zeros(capacity, np.float32)  # terminated only: truncations bootstrap
        self.capacity, self.pos, self.full = capacity, 0, False

    def add(self, obs, next_obs, action, reward, terminated):
        i = self.pos
        self.obs[i], self.next_obs[i] = obs, next_obs
        self.actions[i], self.rewards[i], self.dones[i] = action, reward, float(terminated)
        self.pos = (i + 1) % self.capacity
        self.full = self.full or self.pos == 0

    def sample(self, n):
        idx = np.random.randint(0, self.capacity if self.full else self.pos, size=n)
        return tuple(torch.from_numpy(a[idx]) for a in
                     (self.obs, self.actions, self.rewards, self.next_obs, self.dones))


def linear_epsilon(p, step):
    progress = step / p["steps"]
    if progress > p["expl_fraction"]:
        return p["expl_final"]
    return 1.0 + progress * (p["expl_final"] - 1.0) / p["expl_fraction"]


def greedy(q, obs):
    with torch.no_grad():
        return int(q(torch.as_tensor(obs).unsqueeze(0)).argmax(dim=1).item())


def train(env_id, seed, p):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    env = rein.make(env_id)
    env.action_space.seed(seed)
    obs_dim, n_actions = env.observation_space.shape[0], env.action_space.n
    q = q_network(obs_dim, n_actions)
    q_target = copy.deepcopy(q)
    opt = torch.optim.Adam(q.parameters(), lr=p["lr"])  # eps 1e-8, as SB3 passes no kwargs
    buf = ReplayBuffer(p["buffer"], obs_dim)
    obs, _ = env.reset(seed=seed)
    step, epsilon, episode_return, returns = 0, 0.0, 0.0, []
    while step < p["steps"]:
        for _ in range(p["train_freq"]):  # collect one phase
            if step < p["learning_starts"] or np.random.rand() < epsilon:
                action = int(env.action_space.sample())
            else:
                action = greedy(q, obs)
            next_obs, reward, terminated, truncated, _ = env.step(action)
            step += 1
            episode_return += reward
            # On a truncation next_obs is the final observation (rein.make does not autoreset).
            buf.add(obs, next_obs, action, reward, terminated)
            epsilon = linear_epsilon(p, step)
            if step % max(p["target_update"], 1) == 0:
                q_target.load_state_dict(q.state_dict())
            if terminated or truncated:
                returns.append(episode_return)
                episode_return = 0.0
                obs, _ = env.reset()
            else:
                obs = next_obs
        if step <= p["learning_starts"]:
            continue
        n_updates = p["gradient_steps"] if p["gradient_steps"] >= 0 else p["train_freq"]
        for _ in range(n_updates):
            o, a, r, o2, d = buf.sample(p["batch"])
            with torch.no_grad():
                target = r + (1.0 - d) * p["gamma"] * q_target(o2).max(dim=1).values
            q_sa = q(o).gather(1, a.unsqueeze(1)).squeeze(1)
            loss = F.smooth_l1_loss(q_sa, target)
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(q.parameters(), MAX_GRAD_NORM)
            opt.step()
        if len(returns) and step % 10_000 < p["train_freq"]:
            print(f"step {step}: last 20 training episodes {np.mean(returns[-20:]):.1f}",
                  flush=True)
    return q


def evaluate(q, env_id, seed, episodes, n_envs=8):
    """rein's final evaluation: env i seeded seed + i once, running (episodes + i) // n_envs."""
    returns = []
    for i in range(n_envs):
        env = rein.make(env_id)
        obs, _ = env.reset(seed=seed + i)
        for _ in range((episodes + i) // n_envs):
            total, done = 0.0, False
            while not done:
                obs, reward, terminated, truncated, _ = env.step(greedy(q, obs))
                total += reward
                done = terminated or truncated
            returns.append(total)
            obs, _ = env.reset()
    return np.array(returns)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--env", default="LunarLander-v3", choices=sorted(PRESETS))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--steps", type=int, help="override the preset's total steps")
    ap.add_argument("--episodes", type=int, default=100)
    args = ap.parse_args()
    torch.set_num_threads(1)
    p = dict(PRESETS[args.env])
    if args.steps:
        p["steps"] = args.steps
    wall, cpu = time.perf_counter(), time.process_time()
    q = train(args.env, args.seed, p)
    train_wall, train_cpu = time.perf_counter() - wall, time.process_time() - cpu
    ret = evaluate(q, args.env, args.seed + 1_000_000, args.episodes)
    print(f"dqn_torch {args.env} seed {args.seed}: eval {ret.mean():.2f} +- {ret.std():.2f} "
          f"({len(ret)} episodes) | train wall {train_wall:.1f} s cpu {train_cpu:.1f} s | "
          f"total wall {time.perf_counter() - wall:.1f} s cpu {time.process_time() - cpu:.1f} s",
          flush=True)


if __name__ == "__main__":
    main()
