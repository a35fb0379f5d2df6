// The checkpoint loader under hostile input: real checkpoints written by short runs of every
// agent, mutated (bit flips, truncation, every state field replaced by a negative, huge,
// fractional, mistyped or empty value, tensors of another dtype or shape or holding NaN, huge or
// negative values, metadata fields changed) and loaded. Each must either throw rein::Error or
// load into an agent that can then train and act without a crash; run under ASan+UBSan in the
// sanitizer build. The counts are recorded in docs/RELIABILITY.md.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iterator>
#include <limits>
#include <nlohmann/json.hpp>
#include <random>

#include "autograd/checkpoint.h"
#include "rl/checkpoint.h"
#include "rl/trainer.h"
#include "tests/rl/dot_side_env.h"
#include "tests/rl/test_support.h"

namespace rein::rl {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct AgentCase {
  const char* algorithm;
  const char* env;
  std::vector<std::pair<const char*, std::string>> settings;
};

// Short runs of every agent, with the options that add state (normalisers, the replay buffer
// with priorities and env states, one-hot Discrete observations, gSDE's exploration matrices).
std::vector<AgentCase> agent_cases() {
  return {
      {"ppo",
       "CartPole-v1",
       {{"total_timesteps", "64"},
        {"n_envs", "2"},
        {"n_steps", "16"},
        {"batch_size", "16"},
        {"n_epochs", "1"},
        {"normalize_obs", "true"},
        {"normalize_reward", "true"},
        {"net_arch", "8"}}},
      {"a2c",
       "Pendulum-v1",
       {{"total_timesteps", "40"},
        {"n_envs", "2"},
        {"n_steps", "5"},
        {"normalize_obs", "true"},
        {"net_arch", "8"}}},
      {"ppo",
       "Pendulum-v1",
       {{"total_timesteps", "64"},
        {"n_envs", "2"},
        {"n_steps", "16"},
        {"batch_size", "16"},
        {"n_epochs", "1"},
        {"net_arch", "8"},
        {"use_sde", "true"},
        {"sde_sample_freq", "4"}}},
      {"reinforce", "CartPole-v1", {{"total_timesteps", "100"}, {"net_arch", "8"}}},
      {"dqn",
       "CartPole-v1",
       {{"total_timesteps", "120"},
        {"n_envs", "2"},
        {"buffer_size", "64"},
        {"learning_starts", "40"},
        {"batch_size", "8"},
        {"net_arch", "8"},
        {"save_replay", "true"},
        {"prioritized_replay", "true"},
        {"n_step", "2"}}},
      {"dqn",
       "FrozenLake-v1",
       {{"total_timesteps", "120"},
        {"buffer_size", "40"},
        {"learning_starts", "40"},
        {"batch_size", "8"},
        {"net_arch", "8"},
        {"save_replay", "true"}}},
      {"sac",
       "Pendulum-v1",
       {{"total_timesteps", "120"},
        {"buffer_size", "64"},
        {"learning_starts", "40"},
        {"batch_size", "8"},
        {"net_arch", "8"},
        {"save_replay", "true"}}},
      {"sac",
       "MountainCarContinuous-v0",
       {{"total_timesteps", "64"},
        {"n_envs", "2"},
        {"buffer_size", "64"},
        {"learning_starts", "0"},
        {"train_freq", "8"},
        {"batch_size", "8"},
        {"net_arch", "8"},
        {"use_sde", "true"},
        {"sde_sample_freq", "4"}}},
      {"td3",
       "MountainCarContinuous-v0",
       {{"total_timesteps", "120"},
        {"n_envs", "2"},
        {"buffer_size", "64"},
        {"learning_starts", "40"},
        {"batch_size", "8"},
        {"net_arch", "pi=[8], qf=[8]"},
        {"noise_type", "ornstein-uhlenbeck"},
        {"save_replay", "true"}}},
      {"ddpg",
       "Pendulum-v1",
       {{"total_timesteps", "120"},
        {"buffer_size", "64"},
        {"learning_starts", "40"},
        {"batch_size", "8"},
        {"net_arch", "8"},
        {"noise_type", "normal"},
        {"normalize_obs", "true"},
        {"save_replay", "true"}}},
      // CnnPolicy: NatureCNN weights and a replay of uint8 image rows.
      {"dqn",
       "DotSide-v0",
       {{"total_timesteps", "48"},
        {"policy", "CnnPolicy"},
        {"buffer_size", "32"},
        {"learning_starts", "8"},
        {"batch_size", "4"},
        {"net_arch", ""},
        {"save_replay", "true"}}},
      {"qlearning", "FrozenLake-v1", {{"total_timesteps", "100"}, {"steps_per_iteration", "50"}}},
      {"sarsa", "Taxi-v4", {{"total_timesteps", "100"}, {"steps_per_iteration", "50"}}},
      {"expected_sarsa",
       "CliffWalking-v1",
       {{"total_timesteps", "100"}, {"steps_per_iteration", "50"}}},
  };
}

std::string read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const fs::path& p, const std::string& bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

struct Tally {
  int64_t mutants = 0, loaded = 0, rejected = 0;
};

// Loads `path`; a loaded agent then trains one iteration and acts. Anything but rein::Error
// (or a clean load) fails the test.
void try_load(const fs::path& path, const std::string& label, Tally& tally) {
  ++tally.mutants;
  std::unique_ptr<Agent> agent;
  try {
    CheckpointInfo info = read_agent_checkpoint(path.string());
    agent = load_agent(info);
  } catch (const Error& e) {
    ++tally.rejected;
    EXPECT_NE(std::string(e.what()).find(path.filename().string()), std::string::npos)
        << label << ": the message names no file: " << e.what();
    return;
  } catch (const std::exception& e) {
    ADD_FAILURE() << label << ": not a rein::Error: " << e.what();
    return;
  }
  ++tally.loaded;
  try {
    NullSink sink;
    agent->iterate(sink);
    agent->iterate(sink);
  } catch (const Error&) {
    // e.g. NonFiniteError from a model whose values were valid but extreme
  } catch (const std::exception& e) {
    ADD_FAILURE() << label << ": training a loaded agent threw a non-rein error: " << e.what();
  }
}

// The file with its header JSON replaced (the data section kept as it is).
std::string with_header(const std::string& file, const json& header) {
  uint64_t n = 0;
  std::memcpy(&n, file.data(), 8);
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');
  const uint64_t m = text.size();
  std::string out(8, '\0');
  std::memcpy(out.data(), &m, 8);
  return out + text + file.substr(8 + n);
}

// A safetensors file of `tensors` (written here rather than by save_safetensors, whose fsync
// per file would make the test wait on the disk).
std::string encode(const std::vector<std::pair<std::string, Tensor>>& tensors,
                   const Metadata& metadata) {
  json header = {{"__metadata__", metadata}};
  std::string data;
  for (const auto& [name, t] : tensors) {
    const Tensor c = t.contiguous();
    const size_t bytes = static_cast<size_t>(c.numel()) * element_size(c.dtype());
    const char* p = c.dtype() == Dtype::Float32   ? reinterpret_cast<const char*>(c.data<float>())
                    : c.dtype() == Dtype::Float64 ? reinterpret_cast<const char*>(c.data<double>())
                    : c.dtype() == Dtype::Int64   ? reinterpret_cast<const char*>(c.data<int64_t>())
                    : c.dtype() == Dtype::UInt8   ? reinterpret_cast<const char*>(c.data<uint8_t>())
                                                  : reinterpret_cast<const char*>(c.data<bool>());
    const char* dtype = c.dtype() == Dtype::Float32   ? "F32"
                        : c.dtype() == Dtype::Float64 ? "F64"
                        : c.dtype() == Dtype::Int64   ? "I64"
                        : c.dtype() == Dtype::UInt8   ? "U8"
                                                      : "BOOL";
    header[name] = {{"dtype", dtype},
                    {"shape", c.shape().to_vector()},
                    {"data_offsets", {data.size(), data.size() + bytes}}};
    data.append(p, bytes);
  }
  std::string empty_file(8, '\0');
  return with_header(empty_file, header) + data;
}

json header_of(const std::string& file) {
  uint64_t n = 0;
  std::memcpy(&n, file.data(), 8);
  return json::parse(file.substr(8, n));
}

// Every node of `j` (objects and arrays too), as JSON pointers.
void collect_pointers(const json& j, const json::json_pointer& at,
                      std::vector<json::json_pointer>& out) {
  out.push_back(at);
  if (j.is_object())
    for (auto it = j.begin(); it != j.end(); ++it) collect_pointers(*it, at / it.key(), out);
  if (j.is_array())
    for (size_t i = 0; i < j.size(); ++i) collect_pointers(j[i], at / i, out);
}

// Values a state field is replaced by; "NaN" and "1e999" are spliced in as text (JSON has no
// NaN, and a reader must not take an overflowing number for a finite one).
const std::vector<std::string> kFieldValues = {
    "-1",    "-5000000",    "100000000", "9223372036854775807",
    "1e30",  "1e999",       "0.5",       "NaN",
    "\"x\"", "[]",          "{}",        "null",
    "true",  "[100000000]", "[-5000000]"};

// Tensor mutations: another dtype, another shape, or extreme values.
std::vector<std::pair<std::string, std::function<Tensor(const Tensor&)>>> tensor_mutations() {
  auto set_first = [](double v) {
    return [v](const Tensor& t) {
      // An integer tensor gets the nearest value its dtype holds (a cast of NaN or of a value
      // out of range would be the test's own undefined behaviour).
      double x = v;
      if (t.dtype() == Dtype::UInt8) x = std::isnan(v) ? 0.0 : std::clamp(v, 0.0, 255.0);
      if (t.dtype() == Dtype::Int64) x = std::isnan(v) ? 0.0 : std::clamp(v, -9e18, 9e18);
      Tensor c = t.to(Dtype::Float64).clone();
      if (c.numel() > 0) c.reshape({-1}).narrow(0, c.numel() / 2, 1).fill_(x);
      return c.to(t.dtype());
    };
  };
  const double nan = std::numeric_limits<double>::quiet_NaN();
  return {
      {"as F64", [](const Tensor& t) { return t.to(Dtype::Float64); }},
      {"as I64", [](const Tensor& t) { return t.to(Dtype::Int64); }},
      {"as F32", [](const Tensor& t) { return t.to(Dtype::Float32); }},
      {"as U8",
       [](const Tensor& t) {  // values clamped to [0, 255] first: the cast is defined there
         Tensor c = t.to(Dtype::Float64).contiguous().clone();
         double* p = c.data<double>();
         for (int64_t i = 0; i < c.numel(); ++i)
           p[i] = std::isnan(p[i]) ? 0 : std::clamp(p[i], 0.0, 255.0);
         return c.to(Dtype::UInt8);
       }},
      {"flattened", [](const Tensor& t) { return t.reshape({-1}); }},
      {"one short",
       [](const Tensor& t) {
         return t.reshape({-1}).narrow(0, 0, std::max<int64_t>(t.numel() - 1, 0));
       }},
      {"empty", [](const Tensor& t) { return empty({0}, t.dtype()); }},
      {"NaN", set_first(nan)},
      {"inf", set_first(std::numeric_limits<double>::infinity())},
      {"5e6", set_first(5e6)},
      {"-5000000", set_first(-5e6)},
      {"-1", set_first(-1)},
      {"2^40", set_first(1099511627776.0)},
  };
}

class CheckpointFuzz : public ::testing::TestWithParam<size_t> {};

TEST_P(CheckpointFuzz, MutatedCheckpointsThrowReinErrorOrLoadAndTrain) {
  const AgentCase c = agent_cases()[GetParam()];
  test_support::register_dot_side();
  const fs::path dir = test_support::temp_dir(str("ckpt-fuzz-", c.algorithm, "-", c.env));
  Settings s;
  for (const auto& [k, v] : c.settings) s.set(k, v, "test");
  s.set("eval_episodes", "0", "test");
  Trainer trainer(c.algorithm, c.env, {}, s);
  NullSink sink;
  trainer.train(sink, "", {});
  const std::string original = read_bytes(trainer.save_checkpoint(dir.string()));
  const fs::path mutant = dir / "mutant.safetensors";
  Tally tally;
  {  // the unmutated file loads
    write_bytes(mutant, original);
    try_load(mutant, "original", tally);
    ASSERT_EQ(tally.loaded, 1);
  }

  std::mt19937_64 rng(GetParam() + 1);
  const json header = header_of(original);
  uint64_t header_len = 0;
  std::memcpy(&header_len, original.data(), 8);

  // 1. Bit flips, two thirds in the header.
  for (int k = 0; k < 300; ++k) {
    std::string b = original;
    const size_t at = k % 3 == 2 ? 8 + header_len + rng() % (b.size() - 8 - header_len)
                                 : rng() % (8 + header_len);
    b[at] = static_cast<char>(b[at] ^ (1 << (rng() % 8)));
    write_bytes(mutant, b);
    try_load(mutant, str("bit flip at ", at), tally);
  }
  // 2. Truncation.
  for (size_t cut : {size_t{0}, size_t{4}, size_t{8}, size_t{9}, size_t(8 + header_len / 2),
                     size_t(8 + header_len), size_t(8 + header_len + 1), original.size() / 2,
                     original.size() - 1}) {
    write_bytes(mutant, original.substr(0, std::min(cut, original.size())));
    try_load(mutant, str("truncated to ", cut), tally);
  }
  // 3. Every field of the agent's state replaced.
  const json state = json::parse(header["__metadata__"]["state"].get<std::string>());
  std::vector<json::json_pointer> fields;
  collect_pointers(state, json::json_pointer(), fields);
  for (const auto& ptr : fields) {
    if (ptr.empty()) continue;
    for (const std::string& value : kFieldValues) {
      json st = state;
      st[ptr] = "@@VALUE@@";
      std::string text = st.dump();
      text.replace(text.find("\"@@VALUE@@\""), 11, value);
      json h = header;
      h["__metadata__"]["state"] = text;
      write_bytes(mutant, with_header(original, h));
      try_load(mutant, str("state ", ptr.to_string(), " = ", value), tally);
    }
    json st = state;  // the field removed
    st[ptr.parent_pointer()].is_object() ? (void)st[ptr.parent_pointer()].erase(ptr.back())
                                         : (void)0;
    json h = header;
    h["__metadata__"]["state"] = st.dump();
    write_bytes(mutant, with_header(original, h));
    try_load(mutant, str("state ", ptr.to_string(), " removed"), tally);
  }
  // 4. Metadata fields changed.
  for (const auto& [key, value] :
       std::vector<std::pair<std::string, std::string>>{{"global_step", "-1"},
                                                        {"global_step", "1e30"},
                                                        {"global_step", ""},
                                                        {"global_step", "x"},
                                                        {"format", "rein-agent-checkpoint-0"},
                                                        {"algorithm", "ppo"},
                                                        {"algorithm", "dqn"},
                                                        {"algorithm", "qlearning"},
                                                        {"algorithm", ""},
                                                        {"env_id", "CartPole-v1"},
                                                        {"env_id", "FrozenLake-v1"},
                                                        {"env_id", "Pendulum-v1"},
                                                        {"env_id", "Nope-v0"},
                                                        {"env_kwargs", "{\"map_name\": \"8x8\"}"},
                                                        {"env_kwargs", "[]"},
                                                        {"env_kwargs", "{\"is_slippery\": 5}"},
                                                        {"params", "[]"},
                                                        {"params", "[[\"n_envs\", \"3\"]]"},
                                                        {"params", "{}"},
                                                        {"params", "[[1, 2]]"},
                                                        {"state", ""},
                                                        {"state", "[]"},
                                                        {"state", "NaN"}}) {
    json h = header;
    h["__metadata__"][key] = value;
    write_bytes(mutant, with_header(original, h));
    try_load(mutant, str("metadata ", key, " = ", value), tally);
  }
  // Each saved param set to a value of the wrong kind or range.
  const json params = json::parse(header["__metadata__"]["params"].get<std::string>());
  for (size_t i = 0; i < params.size(); ++i) {
    for (const char* value : {"-1", "nan", "", "x", "0.5", "1e400"}) {
      json p = params;
      p[i][1] = value;
      json h = header;
      h["__metadata__"]["params"] = p.dump();
      write_bytes(mutant, with_header(original, h));
      try_load(mutant, str("param ", params[i][0].get<std::string>(), " = ", value), tally);
    }
  }
  // 5. Tensors of another dtype or shape, or with extreme values.
  write_bytes(mutant, original);
  const SafetensorsFile file = load_safetensors(mutant.string());
  for (size_t i = 0; i < file.tensors.size(); ++i) {
    for (const auto& [what, mutate] : tensor_mutations()) {
      auto tensors = file.tensors;
      tensors[i].second = mutate(tensors[i].second);
      write_bytes(mutant, encode(tensors, file.metadata));
      try_load(mutant, str("tensor ", tensors[i].first, " ", what), tally);
    }
  }

  std::printf("[ fuzz ] %s on %s: %lld mutated checkpoints, %lld loaded, %lld rejected\n",
              c.algorithm, c.env, static_cast<long long>(tally.mutants - 1),
              static_cast<long long>(tally.loaded - 1), static_cast<long long>(tally.rejected));
  RecordProperty("mutants", static_cast<int>(tally.mutants - 1));
  RecordProperty("loaded", static_cast<int>(tally.loaded - 1));
  EXPECT_EQ(tally.loaded + tally.rejected, tally.mutants);
  EXPECT_GT(tally.rejected, 100);
}

INSTANTIATE_TEST_SUITE_P(EveryAgent, CheckpointFuzz,
                         ::testing::Range(size_t{0}, agent_cases().size()),
                         [](const ::testing::TestParamInfo<size_t>& info) {
                           const AgentCase c = agent_cases()[info.param];
                           std::string name = str(c.algorithm, "_", c.env);
                           for (char& ch : name)
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           return name;
                         });

}  // namespace
}  // namespace rein::rl
