// The Python example server (examples/remote_env/, standard library only) speaks the protocol as
// docs/REMOTE_ENVS.md writes it: rein's C++ client handshakes, resets, steps, batches and gets
// its errors. Skipped where /usr/bin/python3 is absent.
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "envs/remote/remote_env.h"

extern char** environ;

namespace rein::envs::remote {
namespace {

constexpr const char* kPython = "/usr/bin/python3";

// Runs examples/remote_env/cartpole.py on an ephemeral port; the first line it prints names it.
class PythonServer {
 public:
  explicit PythonServer(std::vector<std::string> extra = {}) {
    int fds[2];
    if (pipe(fds) != 0) throw Error("pipe failed");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    std::vector<std::string> args = {
        kPython, std::string(REIN_SOURCE_DIR) + "/examples/remote_env/cartpole.py", "--port", "0"};
    args.insert(args.end(), extra.begin(), extra.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const int rc = posix_spawn(&pid_, kPython, &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    if (rc != 0) throw Error("cannot start python3");
    out_ = fdopen(fds[0], "r");
    char line[256] = {};
    if (fgets(line, sizeof line, out_) == nullptr) throw Error("the Python server printed nothing");
    const std::string text = line;
    const size_t at = text.find("remote://");
    if (at == std::string::npos) throw Error("unexpected first line: " + text);
    url_ = text.substr(at, text.find_first_of("\r\n", at) - at);
  }
  ~PythonServer() {
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
    fclose(out_);
  }
  const std::string& url() const { return url_; }

 private:
  pid_t pid_ = 0;
  FILE* out_ = nullptr;
  std::string url_;
};

bool have_python() { return std::filesystem::exists(kPython); }

TEST(PythonServer, HandshakeResetAndStepFollowTheProtocol) {
  if (!have_python()) GTEST_SKIP() << "no " << kPython;
  PythonServer server;
  RemoteEnv env(parse_url(server.url()));
  EXPECT_EQ(env.welcome().env_id, "PyCartPole-v0");
  EXPECT_EQ(env.action_space(), Space(Discrete(2)));
  EXPECT_EQ(env.observation_space().shape(), (Shape{4}));
  EXPECT_EQ(env.welcome().max_episode_steps, std::optional<int64_t>(500));
  const std::vector<double> first = env.reset(7).obs.tolist();
  EXPECT_EQ(env.reset(7).obs.tolist(), first);  // seeded resets repeat
  EXPECT_NE(env.reset(8).obs.tolist(), first);
  for (double v : first) EXPECT_LE(std::abs(v), 0.05);
  int steps = 0;
  bool terminated = false;
  while (!terminated && steps < 500) {  // always pushing right tips the pole over quickly
    const StepResult r = env.step(1);
    EXPECT_EQ(r.reward, 1.0);
    terminated = r.terminated;
    ++steps;
  }
  EXPECT_TRUE(terminated);
  EXPECT_LT(steps, 100);
}

TEST(PythonServer, EnvErrorsKeepTheSessionAndBatchesAutoreset) {
  if (!have_python()) GTEST_SKIP() << "no " << kPython;
  PythonServer server;
  auto vec = make_vec(server.url(), 4);
  vec->reset(0);
  try {
    vec->step(from_vector<int64_t>({0, 1, 5, 0}));
    FAIL();
  } catch (const ProtocolError& e) {
    EXPECT_EQ(e.code(), ErrorCode::EnvError);
    EXPECT_NE(std::string(e.what()).find("not in Discrete(2)"), std::string::npos) << e.what();
  }
  vec->reset(0);
  int64_t done = 0;
  for (int t = 0; t < 200; ++t) {
    const VectorStep& s = vec->step(full(Shape{4}, t % 3 == 0 ? 0 : 1, Dtype::Int64));
    for (int64_t i = 0; i < 4; ++i) {
      if (!s.done.data<bool>()[i]) continue;
      ++done;
      // The final observation is past a threshold; the new one is a fresh reset.
      EXPECT_TRUE(std::abs(s.final_obs.at({i, 0})) > 2.4 || std::abs(s.final_obs.at({i, 2})) > 0.2);
      EXPECT_LE(std::abs(s.obs.at({i, 0})), 0.05);
    }
  }
  EXPECT_GT(done, 4);
}

TEST(PythonServer, WrongTokenIsUnauthorized) {
  if (!have_python()) GTEST_SKIP() << "no " << kPython;
  PythonServer server({"--token", "abc"});
  try {
    make_env(server.url(), {{"token", "xyz"}});
    FAIL();
  } catch (const ProtocolError& e) {
    EXPECT_EQ(e.code(), ErrorCode::Unauthorized);
  }
  EXPECT_EQ(make_env(server.url(), {{"token", "abc"}})->reset(1).obs.numel(), 4);
}

}  // namespace
}  // namespace rein::envs::remote
