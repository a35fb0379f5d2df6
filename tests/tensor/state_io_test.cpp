// StateIO: one declaration saves and loads; nested objects name their JSON members and tensor
// prefixes; loading refuses what is missing, mistyped or out of range, naming the field.
#include "tensor/state_io.h"

#include <gtest/gtest.h>

#include <cmath>

#include "tensor/generator.h"
#include "tensor/ops.h"

namespace rein {
namespace {

struct Ring {
  int64_t pos = 0;
  std::vector<float> rewards = {0, 0, 0};
  void state(StateIO& io) {
    io.integer("pos", pos, 0, 2);
    io.tensor("rewards", rewards, {3});
  }
};

struct Weights {
  Tensor w = zeros({2, 2});
  void state(StateIO& io) { io.tensor("w", w); }
};

struct Agent {
  int64_t step = 0;
  Generator gen{7};
  Ring ring;
  Weights model;
  std::vector<std::vector<double>> envs = {{0.0}, {0.0}};
  void state(StateIO& io) {
    io.integer("step", step, 0, kMaxCounter);
    io.generator("generator", gen);
    io.object("ring", ring);
    io.object("model", model);
    std::vector<StateIO> each = io.objects("envs", envs.size());
    for (size_t i = 0; i < envs.size(); ++i) each[i].numbers("x", envs[i], 1, -1.0, 1.0);
  }
};

std::string load_error(const std::string& json, const NamedTensorList& tensors) {
  try {
    Agent a;
    StateIO io("test state", json, tensors);
    a.state(io);
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(StateIO, OneDeclarationSavesAndLoadsNestedState) {
  Agent saved;
  saved.step = 12;
  saved.gen.uniform();
  saved.ring = {2, {1, 2, 3}};
  saved.model.w.fill_(0.5);
  saved.envs = {{0.25}, {-0.5}};
  StateIO out("test state");
  saved.state(out);
  // A tensor-only object adds no JSON member; its tensors carry its name.
  EXPECT_EQ(out.json(), "{\"envs\":[{\"x\":[0.25]},{\"x\":[-0.5]}],\"generator\":\"" +
                            saved.gen.state_string() + "\",\"ring\":{\"pos\":2},\"step\":12}");
  ASSERT_EQ(out.tensors().size(), 2u);
  EXPECT_EQ(out.tensors()[0].first, "ring.rewards");
  EXPECT_EQ(out.tensors()[1].first, "model.w");

  Agent loaded;
  StateIO in("test state", out.json(), out.tensors());
  loaded.state(in);
  EXPECT_EQ(loaded.step, 12);
  EXPECT_EQ(loaded.gen.state_string(), saved.gen.state_string());
  EXPECT_EQ(loaded.ring.pos, 2);
  EXPECT_EQ(loaded.ring.rewards, (std::vector<float>{1, 2, 3}));
  EXPECT_EQ(loaded.model.w.data<float>()[3], 0.5f);
  EXPECT_EQ(loaded.envs, saved.envs);
}

TEST(StateIO, LoadingNamesTheFieldTheValueAndWhatWasExpected) {
  Agent a;
  StateIO out("test state");
  a.state(out);
  const NamedTensorList& t = out.tensors();
  const std::string g = "\"generator\":\"" + a.gen.state_string() + "\"";
  const std::string envs = "\"envs\":[{\"x\":[0]},{\"x\":[0]}]";
  EXPECT_EQ(load_error(out.json(), t), "(no error)");
  EXPECT_EQ(load_error("[1]", t), "test state: the state is [1], expected a JSON object");
  EXPECT_EQ(load_error("{\"step\":-1}", t),
            "test state: field 'step' is -1, expected an integer in [0, 9007199254740992]");
  EXPECT_EQ(load_error("{\"step\":1," + g + "}", t), "test state: field 'ring' is missing");
  EXPECT_EQ(load_error("{\"step\":1," + g + ",\"ring\":5}", t),
            "test state: field 'ring' is 5, expected an object");
  EXPECT_EQ(load_error("{\"step\":1," + g + ",\"ring\":{\"pos\":1.5}}", t),
            "test state: field 'ring.pos' is 1.5, expected an integer in [0, 2]");
  EXPECT_EQ(load_error("{\"step\":1,\"generator\":\"zz\"}", t)
                .rfind("test state: field 'generator' is \"zz\", expected a generator state (", 0),
            0u);
  EXPECT_EQ(load_error("{\"step\":1," + g + ",\"ring\":{\"pos\":1}," + envs + "}", {}),
            "test state: tensor 'ring.rewards' is missing");
  NamedTensorList bad = t;
  bad[0].second = full({3}, std::nan(""));
  EXPECT_EQ(load_error(out.json(), bad),
            "test state: tensor 'ring.rewards' holds NaN or infinite values");
  bad[0].second = zeros({4});
  EXPECT_EQ(load_error(out.json(), bad),
            "test state: tensor 'ring.rewards' has shape [4], expected [3]");
  bad = t;
  bad[1].second = zeros({2, 2}, Dtype::Float64);
  EXPECT_EQ(load_error(out.json(), bad),
            "test state: tensor 'model.w' is float64, expected float32");
  EXPECT_EQ(
      load_error("{\"step\":1," + g + ",\"ring\":{\"pos\":1},\"envs\":[{\"x\":[0]},{\"x\":[2]}]}",
                 t),
      "test state: field 'envs[1].x[0]' is 2, expected a finite number in [-1, 1]");
  EXPECT_EQ(load_error("{\"step\":1," + g + ",\"ring\":{\"pos\":1},\"envs\":[{\"x\":[0]}]}", t),
            "test state: field 'envs' is [{\"x\":[0]}], expected an array of 2 objects");
}

}  // namespace
}  // namespace rein
