"""PyTorch twin of rein-bench's autograd workloads (apps/bench/autograd_bench.cpp): the same
networks, losses and batch sizes, one thread, median time per step in microseconds.

Run with Debian's torch:  /usr/bin/python3 bench/torch_autograd_baseline.py [--repeats N]
"""
import argparse
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def mlp(sizes, act):
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i + 2 < len(sizes):
            layers.append(act())
    return nn.Sequential(*layers)


def ppo_update_b128():
    net = mlp([4, 64, 64, 2], nn.Tanh)
    opt = torch.optim.Adam(net.parameters(), lr=3e-4, eps=1e-5)
    obs, act = torch.randn(128, 4), torch.randint(0, 2, (128, 1))
    old_logp, adv = torch.full((128,), -0.69), torch.randn(128)

    def step():
        opt.zero_grad()
        logp_all = torch.log_softmax(net(obs), 1)
        ratio = torch.exp(logp_all.gather(1, act).squeeze(1) - old_logp)
        pg = torch.maximum(-adv * ratio, -adv * torch.clamp(ratio, 0.8, 1.2)).mean()
        entropy = -(torch.exp(logp_all) * logp_all).sum(1).mean()
        (pg - 0.01 * entropy).backward()
        opt.step()
    return step


def act_b1():
    net = mlp([4, 64, 64, 2], nn.Tanh)
    obs = torch.randn(1, 4)

    def step():
        with torch.no_grad():
            net(obs)
    return step


def dqn_update_b64():
    q, target = mlp([4, 256, 256, 2], nn.ReLU), mlp([4, 256, 256, 2], nn.ReLU)
    target.load_state_dict(q.state_dict())
    opt = torch.optim.Adam(q.parameters(), lr=2.5e-4)
    obs, next_obs = torch.randn(64, 4), torch.randn(64, 4)
    act, reward, not_done = torch.randint(0, 2, (64, 1)), torch.randn(64), torch.ones(64)

    def step():
        with torch.no_grad():
            td_target = reward + not_done * target(next_obs).max(1).values * 0.99
        opt.zero_grad()
        q_sa = q(obs).gather(1, act).squeeze(1)
        F.smooth_l1_loss(q_sa, td_target).backward()
        opt.step()
    return step


def big_update_b256():
    net = mlp([512, 256, 256, 18], nn.ReLU)
    opt = torch.optim.Adam(net.parameters(), lr=1e-4)
    x, labels = torch.randn(256, 512), torch.randint(0, 18, (256,))

    def step():
        opt.zero_grad()
        F.cross_entropy(net(x), labels).backward()
        opt.step()
    return step


def nature_cnn_b32():
    net = nn.Sequential(nn.Conv2d(4, 32, 8, stride=4), nn.ReLU(), nn.Conv2d(32, 64, 4, stride=2),
                        nn.ReLU(), nn.Conv2d(64, 64, 3, stride=1), nn.ReLU(), nn.Flatten(),
                        nn.Linear(64 * 7 * 7, 512), nn.ReLU())
    x = torch.rand(32, 4, 84, 84)

    def step():
        net.zero_grad()
        net(x).sum().backward()
    return step


def median_us(step, repeats, inner):
    for _ in range(inner):
        step()
    samples = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(inner):
            step()
        samples.append((time.perf_counter() - t0) / inner * 1e6)
    return statistics.median(samples)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(0)
    for name, make, inner in [("ppo_update_b128", ppo_update_b128, 200), ("act_b1", act_b1, 2000),
                              ("dqn_update_b64", dqn_update_b64, 50),
                              ("big_update_b256", big_update_b256, 10),
                              ("nature_cnn_b32", nature_cnn_b32, 3)]:
        print(f"pytorch {name:18s} {median_us(make(), args.repeats, inner):10.1f} us")


if __name__ == "__main__":
    main()
