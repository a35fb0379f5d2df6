// Server and client over loopback: a served env behaves exactly like the same env in process,
// one env per frame and N envs batched per frame.
#include "envs/remote/server.h"

#include <gtest/gtest.h>

#include "envs/registry.h"
#include "envs/remote/remote_env.h"
#include "tensor/generator.h"

namespace rein::envs::remote {
namespace {

std::string url_of(const Server& s) { return str("remote://127.0.0.1:", s.port()); }

ServerOptions cartpole() { return ServerOptions{.env_id = "CartPole-v1"}; }

TEST(RemoteEnv, ServedCartPoleMatchesInProcessStepForStep) {
  Server server(cartpole());
  server.start();
  auto remote = make_env(url_of(server));
  auto local = make("CartPole-v1");
  EXPECT_EQ(remote->observation_space(), local->observation_space());
  EXPECT_EQ(remote->action_space(), local->action_space());
  Generator gen(3);
  int episodes = 0;
  for (uint64_t seed = 0; seed < 3; ++seed) {
    auto [r_obs, r_info] = remote->reset(seed);
    auto [l_obs, l_info] = local->reset(seed);
    ASSERT_EQ(r_obs.tolist(), l_obs.tolist());
    for (int t = 0; t < 600; ++t) {
      const int64_t a = gen.randint(0, 2);
      const StepResult r = remote->step(a);
      const StepResult l = local->step(a);
      ASSERT_EQ(r.obs.tolist(), l.obs.tolist()) << "seed " << seed << " step " << t;
      ASSERT_EQ(r.reward, l.reward);
      ASSERT_EQ(r.terminated, l.terminated);
      ASSERT_EQ(r.truncated, l.truncated);
      if (r.terminated || r.truncated) {
        ++episodes;
        break;
      }
    }
  }
  EXPECT_EQ(episodes, 3);
  EXPECT_GT(server.stats().steps, 20);
}

TEST(RemoteEnv, HandshakeCarriesSpacesAndSpec) {
  Server server(cartpole());
  server.start();
  RemoteEnv env(parse_url(url_of(server)));
  EXPECT_EQ(env.welcome().env_id, "CartPole-v1");
  EXPECT_EQ(env.welcome().max_episode_steps, std::optional<int64_t>(500));
  EXPECT_EQ(env.welcome().reward_threshold, std::optional<double>(475.0));
  ASSERT_TRUE(env.spec().has_value());
  EXPECT_EQ(env.spec()->id, url_of(server));
  EXPECT_EQ(env.spec()->max_episode_steps, std::optional<int64_t>(500));
}

TEST(RemoteEnv, ServedTimeLimitTruncatesAtMaxEpisodeSteps) {
  ServerOptions o{.env_id = "Pendulum-v1"};  // never terminates: only the limit ends it
  Server server(o);
  server.start();
  auto env = make_env(url_of(server));
  env->reset(1);
  const float torque[1] = {0.0f};
  int t = 1;
  for (; !env->step(std::span<const float>(torque)).truncated; ++t) ASSERT_LT(t, 1000);
  EXPECT_EQ(t, 200);
}

TEST(RemoteVectorEnv, BatchedStepsMatchSyncVectorEnv) {
  Server server(cartpole());
  server.start();
  const int64_t n = 8;
  auto remote = make_vec(url_of(server), n);
  auto local = envs::make_vec("CartPole-v1", n);
  const VectorStep& r0 = remote->reset(11);
  const VectorStep& l0 = local->reset(11);
  ASSERT_EQ(r0.obs.tolist(), l0.obs.tolist());
  Generator gen(5);
  int64_t dones = 0;
  for (int t = 0; t < 300; ++t) {
    Tensor actions = randint(0, 2, Shape{n}, gen);
    const VectorStep& r = remote->step(actions);
    const VectorStep& l = local->step(actions);
    ASSERT_EQ(r.obs.tolist(), l.obs.tolist()) << t;
    ASSERT_EQ(r.rewards.tolist(), l.rewards.tolist());
    ASSERT_EQ(r.terminated.tolist(), l.terminated.tolist());
    ASSERT_EQ(r.truncated.tolist(), l.truncated.tolist());
    ASSERT_EQ(r.done.tolist(), l.done.tolist());
    for (int64_t i = 0; i < n; ++i) {
      if (!r.done.data<bool>()[i]) continue;
      ++dones;
      ASSERT_EQ(r.final_obs.select(0, i).tolist(), l.final_obs.select(0, i).tolist());
    }
  }
  EXPECT_GT(dones, 20);  // autoreset was exercised
  EXPECT_EQ(remote->single_observation_space(), local->single_observation_space());
  EXPECT_THROW(remote->env(0).step(0), Error);  // env(i) is only a placeholder
}

TEST(RemoteVectorEnv, InvalidActionIsAnEnvErrorAndTheSessionGoesOn) {
  Server server(cartpole());
  server.start();
  auto vec = make_vec(url_of(server), 2);
  try {
    vec->step(from_vector<int64_t>({0, 1}));
    FAIL() << "step before reset";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("reset"), std::string::npos) << e.what();
  }
  vec->reset(0);
  try {
    vec->step(from_vector<int64_t>({0, 7}));
    FAIL() << "action 7 of Discrete(2)";
  } catch (const ProtocolError& e) {
    EXPECT_EQ(e.code(), ErrorCode::EnvError);
    EXPECT_NE(std::string(e.what()).find("step failed on the server"), std::string::npos)
        << e.what();
  }
  vec->reset(0);
  EXPECT_EQ(vec->step(from_vector<int64_t>({0, 1})).obs.shape(), (Shape{2, 4}));
}

TEST(RemoteEnv, ManyClientsEachHaveTheirOwnEnvs) {
  Server server(cartpole());
  server.start();
  std::vector<std::unique_ptr<Env>> clients;
  for (int i = 0; i < 5; ++i) clients.push_back(make_env(url_of(server)));
  for (size_t i = 0; i < clients.size(); ++i) clients[i]->reset(100 + i);
  auto local = make("CartPole-v1");
  for (size_t i = 0; i < clients.size(); ++i) {
    local->reset(100 + i);
    for (int t = 0; t < 5; ++t) {
      ASSERT_EQ(clients[i]->step(t % 2).obs.tolist(), local->step(t % 2).obs.tolist());
    }
  }
}

TEST(RemoteUrl, ParsesHostsAndRejectsMalformedIds) {
  EXPECT_EQ(parse_url("remote://127.0.0.1:5555").port, 5555);
  EXPECT_EQ(parse_url("remote://[::1]:80").host, "::1");
  EXPECT_EQ(parse_url("remote://localhost:1").host, "localhost");
  EXPECT_TRUE(is_remote_id("remote://x:1"));
  EXPECT_FALSE(is_remote_id("CartPole-v1"));
  for (const char* bad : {"remote://host", "remote://:80", "remote://h:0", "remote://h:99999",
                          "remote://h:8x", "remote://::1:80", "tcp://h:1"}) {
    try {
      parse_url(bad);
      FAIL() << bad;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("expected remote://HOST:PORT"), std::string::npos);
    }
  }
}

TEST(RemoteUrl, UnknownKwargsPointAtTheServer) {
  try {
    client_options({{"gravity", "9.8"}});
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("gravity"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("rein envs serve"), std::string::npos) << e.what();
  }
  EXPECT_EQ(client_options({{"timeout_ms", "250"}}).timeout_ms, 250);
}

TEST(Server, RejectsUnknownEnvIdsAndBusyPorts) {
  try {
    Server s(ServerOptions{.env_id = "CartPol-v1"});
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("did you mean 'CartPole-v1'"), std::string::npos);
  }
  Server first(cartpole());
  ServerOptions same = cartpole();
  same.port = first.port();
  same.host = "127.0.0.1";
  // SO_REUSEADDR lets a restarted server rebind, but not two live listeners on one port.
  EXPECT_THROW(Server second(same), Error);
}

}  // namespace
}  // namespace rein::envs::remote
