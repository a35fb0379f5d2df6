// Crafted checkpoints that once crashed or corrupted memory on load or resume (a DQN replay
// position of 100000000, -5000000 or [], a FrozenLake observation index of 5e6), and the message
// every refused value gets: the file, the field, the value and what was expected.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

#include "autograd/checkpoint.h"
#include "rl/checkpoint.h"
#include "rl/trainer.h"
#include "tests/rl/test_support.h"

namespace rein::rl {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test_support::error_of;

// A checkpoint of a short run of `algorithm` on `env`.
std::string short_checkpoint(const std::string& name, const std::string& algorithm,
                             const std::string& env,
                             std::initializer_list<std::pair<const char*, std::string>> extra) {
  Settings s = test_support::settings_of(extra);
  s.set("eval_episodes", "0", "test");
  Trainer t(algorithm, env, {}, s);
  NullSink sink;
  t.train(sink, "", {});
  return t.save_checkpoint(test_support::temp_dir(name).string());
}

std::string short_dqn(const std::string& name, const std::string& env) {
  return short_checkpoint(name, "dqn", env,
                          {{"total_timesteps", "120"},
                           {"buffer_size", "64"},
                           {"learning_starts", "40"},
                           {"batch_size", "8"},
                           {"net_arch", "8"},
                           {"save_replay", "true"}});
}

// Rewrites the checkpoint at `path` with `edit` applied to its agent state JSON and tensors.
void edit_checkpoint(
    const std::string& path,
    const std::function<void(json&, std::vector<std::pair<std::string, Tensor>>&)>& edit) {
  SafetensorsFile f = load_safetensors(path);
  json state = json::parse(f.metadata.at("state"));
  edit(state, f.tensors);
  f.metadata["state"] = state.dump();
  save_safetensors(path, f.tensors, f.metadata);
}

// What loading `path` (and, if it loads, one training iteration) throws.
std::string load_error(const std::string& path) {
  return error_of([&] {
    auto agent = load_agent(read_agent_checkpoint(path));
    NullSink sink;
    agent->iterate(sink);
  });
}

TEST(CheckpointValidation, CraftedReplayPositionsAreRefusedBeforeAnyWrite) {
  const std::string path = short_dqn("ckpt-replay-pos", "CartPole-v1");
  ASSERT_EQ(load_error(path), "(no error)");
  for (const auto& [pos, expected] : std::vector<std::pair<json, std::string>>{
           {json::array({100000000}),
            "field 'replay.pos[0]' is 100000000, expected an integer in [0, 63]"},
           {json::array({-5000000}),
            "field 'replay.pos[0]' is -5000000, expected an integer in [0, 63]"},
           {json::array(), "field 'replay.pos' is [], expected an array of 1 integers"},
           {json::array({1.5}), "field 'replay.pos[0]' is 1.5, expected an integer in [0, 63]"},
           {json("7"), "field 'replay.pos' is \"7\", expected an array of 1 integers"}}) {
    const std::string copy = path + ".edited";
    fs::copy_file(path, copy, fs::copy_options::overwrite_existing);
    edit_checkpoint(copy, [&](json& s, auto&) { s["replay"]["pos"] = pos; });
    const std::string msg = load_error(copy);
    EXPECT_NE(msg.find("checkpoint '" + copy + "': dqn state: " + expected), std::string::npos)
        << msg;
  }
}

TEST(CheckpointValidation, ResumingWithAnotherBufferSizeNamesTheSettingAndTheSizeToResumeWith) {
  // `rein train --resume RUN --set buffer_size=N` was refused with "field
  // 'replay.slots_per_env' is 64, expected an integer in [128, 128]": a key of the file layout.
  const std::string path = short_dqn("ckpt-replay-size", "CartPole-v1");
  const std::string msg = error_of([&] {
    Trainer::resume(path, test_support::settings_of({{"buffer_size", "128"}}));
  });
  EXPECT_NE(msg.find("dqn state: the checkpoint's replay buffer holds 64 slots (buffer_size 64), "
                     "but this run's buffer_size is 128; a resumed run keeps the buffer it "
                     "saved: resume with buffer_size 64 (leave out --set buffer_size)"),
            std::string::npos)
      << msg;
  EXPECT_EQ(msg.find("slots_per_env"), std::string::npos) << msg;
  // The size it saved resumes.
  EXPECT_EQ(error_of([&] {
              Trainer::resume(path, test_support::settings_of({{"buffer_size", "64"}}));
            }),
            "(no error)");
}

TEST(CheckpointValidation, ReplayCountersMustAgreeWithTheStoredFlags) {
  const std::string path = short_dqn("ckpt-replay-counts", "CartPole-v1");
  edit_checkpoint(path, [](json& s, auto&) {
    // Valid slots lie beyond what was written.
    s["replay"]["pos"] = json::array({0});
    s["replay"]["filled"] = json::array({1});
  });
  EXPECT_NE(load_error(path).find("is marked valid but env 0 has written only 1 slots"),
            std::string::npos)
      << load_error(path);
}

TEST(CheckpointValidation, OneHotObservationIndexOutsideTheSpaceIsRefused) {
  const std::string path = short_dqn("ckpt-frozenlake-obs", "FrozenLake-v1");
  edit_checkpoint(path, [](json&, std::vector<std::pair<std::string, Tensor>>& tensors) {
    for (auto& [name, t] : tensors)
      if (name == "replay.obs") t.reshape({-1}).narrow(0, 3, 1).fill_(5e6);
  });
  const std::string msg = load_error(path);
  EXPECT_NE(msg.find("tensor 'replay.obs' element 3 is 5e+06, expected a state index in [0, 16)"),
            std::string::npos)
      << msg;
}

TEST(CheckpointValidation, ActionsOutsideTheActionSpaceAreRefused) {
  const std::string path = short_dqn("ckpt-actions", "CartPole-v1");
  edit_checkpoint(path, [](json&, std::vector<std::pair<std::string, Tensor>>& tensors) {
    for (auto& [name, t] : tensors)
      if (name == "replay.actions") t.narrow(0, 0, 1).fill_(7);
  });
  EXPECT_NE(load_error(path).find(
                "tensor 'replay.actions' element 0 is 7, expected an integer in [0, 1]"),
            std::string::npos)
      << load_error(path);
}

TEST(CheckpointValidation, NormaliserCountersAndGeneratorsAreChecked) {
  const std::string path = short_checkpoint("ckpt-ppo", "ppo", "CartPole-v1",
                                            {{"total_timesteps", "64"},
                                             {"n_steps", "32"},
                                             {"batch_size", "32"},
                                             {"n_epochs", "1"},
                                             {"normalize_obs", "true"},
                                             {"net_arch", "8"}});
  struct Case {
    std::function<void(json&)> edit;
    std::string expected;
  };
  for (const Case& c : std::vector<Case>{
           {[](json& s) { s["obs_rms"]["var"][2] = -1.0; },
            "ppo checkpoint: field 'obs_rms.var[2]' is -1.0, expected a finite number in [0, "},
           {[](json& s) { s["obs_rms"]["mean"] = json::array({0.0}); },
            "field 'obs_rms.mean' is [0.0], expected an array of 4 numbers"},
           {[](json& s) { s["ret_rms"]["count"] = 0; },
            "field 'ret_rms.count' is 0, expected a finite number in ["},
           {[](json& s) { s["global_step"] = -3; },
            "field 'global_step' is -3, expected an integer in [0, 9007199254740992]"},
           {[](json& s) { s["generator"] = std::string(64, '0'); }, "field 'generator' is \"0000"},
           {[](json& s) { s.erase("iteration"); }, "field 'iteration' is missing"}}) {
    const std::string copy = path + ".edited";
    fs::copy_file(path, copy, fs::copy_options::overwrite_existing);
    edit_checkpoint(copy, [&](json& s, auto&) { c.edit(s); });
    const std::string msg = load_error(copy);
    EXPECT_NE(msg.find(c.expected), std::string::npos) << msg;
    EXPECT_NE(msg.find("checkpoint '" + copy + "'"), std::string::npos) << msg;
  }
}

TEST(CheckpointValidation, TensorsOfTheWrongDtypeOrWithNaNAreRefused) {
  const std::string path =
      short_checkpoint("ckpt-tabular", "qlearning", "FrozenLake-v1",
                       {{"total_timesteps", "100"}, {"steps_per_iteration", "50"}});
  edit_checkpoint(path, [](json&, std::vector<std::pair<std::string, Tensor>>& tensors) {
    tensors[0].second.reshape({-1}).narrow(0, 5, 1).fill_(std::nan(""));
  });
  EXPECT_NE(load_error(path).find("tensor 'q_table' holds NaN or infinite values"),
            std::string::npos);
  const std::string ppo = short_checkpoint("ckpt-ppo-dtype", "ppo", "CartPole-v1",
                                           {{"total_timesteps", "64"},
                                            {"n_steps", "32"},
                                            {"batch_size", "32"},
                                            {"n_epochs", "1"},
                                            {"net_arch", "8"}});
  edit_checkpoint(ppo, [](json&, std::vector<std::pair<std::string, Tensor>>& tensors) {
    for (auto& [name, t] : tensors)
      if (name == "optimizer.step") t = full({}, -4.0, Dtype::Int64);
  });
  EXPECT_NE(load_error(ppo).find("field 'optimizer.step' is -4, expected an integer in [0, "),
            std::string::npos)
      << load_error(ppo);
  edit_checkpoint(ppo, [](json&, std::vector<std::pair<std::string, Tensor>>& tensors) {
    for (auto& [name, t] : tensors)
      if (name == "optimizer.step")
        t = full({}, 4.0, Dtype::Int64);
      else if (name.rfind("model.", 0) == 0)
        t = t.to(Dtype::Int64);
  });
  EXPECT_NE(load_error(ppo).find("is int64, expected float32"), std::string::npos)
      << load_error(ppo);
}

TEST(CheckpointValidation, SafetensorsShapesAndBoolBytesAreCheckedBeforeAllocating) {
  const fs::path dir = test_support::temp_dir("ckpt-safetensors");
  auto write_raw = [&](const std::string& header, const std::string& data) {
    const std::string path = (dir / "x.safetensors").string();
    std::string bytes(8, '\0');
    const uint64_t n = header.size();
    std::memcpy(bytes.data(), &n, 8);
    std::ofstream(path, std::ios::binary) << bytes << header << data;
    return error_of([&] { load_safetensors(path); });
  };
  EXPECT_NE(write_raw(R"({"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})", "abcd")
                .find("has shape [-1] (sizes must be >= 0"),
            std::string::npos);
  EXPECT_NE(
      write_raw(R"({"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,0]}})", "")
          .find("data offsets out of range"),
      std::string::npos);
  EXPECT_NE(write_raw(R"({"a":{"dtype":"BOOL","shape":[2],"data_offsets":[0,2]}})",
                      std::string("\x01\x07", 2))
                .find("element 1 is byte 7, a BOOL must be 0 or 1"),
            std::string::npos);
  EXPECT_NE(write_raw(R"({"__metadata__":"x"})", "").find("__metadata__ is not an object"),
            std::string::npos);
}

TEST(CheckpointValidation, ARemoteEnvNamedByTheFileIsNotConnectedTo) {
  const std::string path =
      short_checkpoint("ckpt-remote", "qlearning", "FrozenLake-v1",
                       {{"total_timesteps", "100"}, {"steps_per_iteration", "50"}});
  SafetensorsFile f = load_safetensors(path);
  f.metadata["env_id"] = "remote://203.0.113.7:4000";
  save_safetensors(path, f.tensors, f.metadata);
  CheckpointInfo info = read_agent_checkpoint(path);
  const std::string msg = error_of([&] { load_agent(info); });
  EXPECT_NE(msg.find("it was trained on 'remote://203.0.113.7:4000'; rein does not connect to an "
                     "address read from a file"),
            std::string::npos)
      << msg;
  EXPECT_NE(error_of([&] { Trainer::resume(path); }).find("does not connect"), std::string::npos);
  // The user naming an env id (here a local one) is what lets a checkpoint load.
  info.env_id = "FrozenLake-v1";
  info.env_id_from_user = true;
  EXPECT_EQ(error_of([&] { load_agent(info); }), "(no error)");
  EXPECT_EQ(Trainer::resume(path, {}, "FrozenLake-v1").env_id(), "FrozenLake-v1");
}

TEST(CheckpointValidation, TemporariesOfDeadWritersAreRemovedWhenTrainingStarts) {
  const fs::path dir = test_support::temp_dir("ckpt-stale-tmp");
  const pid_t dead = fork();
  if (dead == 0) _exit(0);
  ASSERT_GT(dead, 0);
  waitpid(dead, nullptr, 0);
  const fs::path stale = dir / str("step-000000064.safetensors.tmp.", dead);
  const fs::path live = dir / str("step-000000064.safetensors.tmp.", getpid());
  std::ofstream(stale) << "half";
  std::ofstream(live) << "being written";
  Trainer t(
      "qlearning", "FrozenLake-v1", {},
      test_support::settings_of(
          {{"total_timesteps", "100"}, {"steps_per_iteration", "50"}, {"eval_episodes", "0"}}));
  NullSink sink;
  t.train(sink, dir.string(), {});
  EXPECT_FALSE(fs::exists(stale));
  EXPECT_TRUE(fs::exists(live));
}

}  // namespace
}  // namespace rein::rl
