// remote://HOST:PORT env ids resolved by the registry's scheme hook: envs::make and
// envs::make_vec accept them once rein_remote installed the "remote" scheme, a program without
// it names the missing scheme, and the registry's scheme rules hold for any scheme.
#include <gtest/gtest.h>

#include "envs/registry.h"
#include "envs/remote/remote_env.h"
#include "envs/remote/server.h"
#include "envs/vector_env.h"
#include "envs/wrappers.h"

namespace rein::envs::remote {
namespace {

std::string url_of(const Server& s) { return str("remote://127.0.0.1:", s.port()); }

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

TEST(RemoteScheme, MakeAndMakeVecAcceptRemoteIdsOnceInstalled) {
  register_scheme();
  register_scheme();  // installing twice is harmless
  Server server(ServerOptions{.env_id = "CartPole-v1"});
  server.start();
  const std::string id = url_of(server);

  auto env = envs::make(id);
  EXPECT_EQ(env->spec()->id, id);
  EXPECT_EQ(env->action_space(), Space(Discrete(2)));
  // The server applies CartPole's 500-step limit; the client adds OrderEnforcing, no TimeLimit.
  EXPECT_NE(dynamic_cast<OrderEnforcing*>(env.get()), nullptr);
  EXPECT_THROW(env->step(0), Error);  // step before reset, caught on this side
  env->reset(3);
  int64_t steps = 0;
  bool done = false;
  while (!done) {
    const StepResult r = env->step(steps % 2);
    done = r.terminated || r.truncated;
    ++steps;
  }
  EXPECT_GT(steps, 5);

  auto vec = envs::make_vec(id, 3);
  EXPECT_EQ(vec->num_envs(), 3);
  EXPECT_EQ(vec->reset(0).obs.shape(), (Shape{3, 4}));
  EXPECT_EQ(server.stats().accepted, 4);  // one session per env of the vector env

  EXPECT_EQ(envs::registry().spec(id).id, id);  // without connecting
  EXPECT_EQ(server.stats().accepted, 4);
}

TEST(RemoteScheme, ExplicitMaxEpisodeStepsAddsAClientSideTimeLimit) {
  register_scheme();
  Server server(ServerOptions{.env_id = "CartPole-v1"});
  server.start();
  auto env = envs::make(url_of(server), {{"max_episode_steps", "3"}});
  env->reset(1);
  env->step(0);
  env->step(1);
  EXPECT_TRUE(env->step(0).truncated);
}

TEST(RemoteScheme, ClientKwargsReachTheConnectionAndUnknownOnesAreRefused) {
  register_scheme();
  Server server(ServerOptions{.env_id = "CartPole-v1", .token = "s3cret"});
  server.start();
  EXPECT_EQ(envs::make(url_of(server), {{"token", "s3cret"}})->reset(0).obs.numel(), 4);
  const std::string wrong = error_of([&] { envs::make(url_of(server), {{"token", "nope"}}); });
  EXPECT_NE(wrong.find("wrong token"), std::string::npos) << wrong;
  const std::string unknown = error_of([&] { envs::make(url_of(server), {{"gravity", "3"}}); });
  EXPECT_NE(unknown.find("rein envs serve ENV --env-arg"), std::string::npos) << unknown;
  const std::string bad = error_of([] { envs::make("remote://127.0.0.1"); });
  EXPECT_NE(bad.find("expected remote://HOST:PORT"), std::string::npos) << bad;
}

TEST(RegistryScheme, UnhandledSchemesAreNamedAndRegisteredIdsWin) {
  Registry r;
  const std::string none = error_of([&] { r.make("remote://127.0.0.1:5555"); });
  EXPECT_NE(none.find("has the scheme 'remote://', which this program does not handle"),
            std::string::npos)
      << none;
  EXPECT_NE(none.find("linked with rein_remote"), std::string::npos) << none;

  std::vector<std::string> made;
  r.register_scheme("fake", [&](std::string_view id, const Kwargs& kw) {
    made.push_back(std::string(id));
    EXPECT_EQ(kw.count("max_episode_steps"), 0u);  // taken by make itself
    return envs::make("CartPole-v1");
  });
  EXPECT_TRUE(r.has_scheme("fake"));
  EXPECT_FALSE(r.has_scheme("remote"));
  auto env = r.make("fake://anything", {{"max_episode_steps", "7"}});
  EXPECT_EQ(made, std::vector<std::string>{"fake://anything"});
  EXPECT_EQ(env->spec()->max_episode_steps, std::optional<int64_t>(7));
  const std::string other = error_of([&] { r.make("tcp://h:1"); });
  EXPECT_NE(other.find("it handles fake://"), std::string::npos) << other;

  r.register_env("fake://pinned", [](const Kwargs&) { return envs::make("CartPole-v1"); });
  r.make("fake://pinned");
  EXPECT_EQ(made.size(), 1u);  // the exact registration, not the scheme

  EXPECT_THROW(r.register_scheme("bad://", [](std::string_view,
                                              const Kwargs&) { return std::unique_ptr<Env>(); }),
               Error);
  r.register_scheme("null", [](std::string_view, const Kwargs&) { return std::unique_ptr<Env>(); });
  const std::string null = error_of([&] { r.make("null://x"); });
  EXPECT_NE(null.find("returned no env"), std::string::npos) << null;
  EXPECT_TRUE(r.specs().size() == 1u);  // schemes are not listed as ids
}

}  // namespace
}  // namespace rein::envs::remote
