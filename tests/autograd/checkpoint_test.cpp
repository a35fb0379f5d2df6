// safetensors checkpoints: round trips, strict loading, metadata, atomic writes, and a reader
// in Python (json + numpy only).
#include "autograd/checkpoint.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "autograd/nn.h"
#include "autograd/optim.h"
#include "tensor/ops.h"

namespace rein {
namespace {

namespace fs = std::filesystem;

std::string temp_path(const std::string& name) {
  fs::path dir = fs::path(REIN_BINARY_DIR) / "test_tmp";
  fs::create_directories(dir);
  return (dir / name).string();
}

TEST(Safetensors, RoundTripsEveryDtypeAndMetadata) {
  const std::string path = temp_path("roundtrip.safetensors");
  Tensor f = tensor({{1.5, -2.0}, {3.0, 4.0}});
  Tensor d = tensor({1e-300, 2.0}, Dtype::Float64);
  Tensor i = from_vector<int64_t>({7, -8, 9}, {3});
  Tensor b = gt(tensor({1.0, -1.0}), 0.0);
  Tensor s = scalar(2.5);
  Tensor u = from_vector<uint8_t>({0, 200, 255}, {3});  // images: safetensors' "U8"
  save_safetensors(path, {{"f", f.t()}, {"d", d}, {"i", i}, {"b", b}, {"s", s}, {"u", u}},
                   {{"step", "42"}, {"config", "{\"lr\": 0.001}"}});
  SafetensorsFile file = load_safetensors(path);
  ASSERT_EQ(file.tensors.size(), 6u);
  EXPECT_EQ(file.tensors[5].second.dtype(), Dtype::UInt8);
  EXPECT_EQ(file.tensors[5].second.tolist(), u.tolist());
  EXPECT_EQ(file.tensors[0].first, "f");
  EXPECT_TRUE(equal(file.tensors[0].second, f.t().contiguous()));
  EXPECT_TRUE(equal(file.tensors[1].second, d));
  EXPECT_TRUE(equal(file.tensors[2].second, i));
  EXPECT_TRUE(equal(file.tensors[3].second, b));
  EXPECT_EQ(file.tensors[4].second.dim(), 0);
  EXPECT_EQ(file.metadata.at("step"), "42");
  EXPECT_EQ(file.metadata.at("config"), "{\"lr\": 0.001}");
  EXPECT_FALSE(fs::exists(path + ".tmp"));
}

// Checkpoints are renamed over their name; a name that is a device, pipe or socket (a library
// user's save("/dev/null") as root) is refused instead of replaced. A FIFO stands in for one.
TEST(Safetensors, ANameThatIsNotARegularFileIsRefusedAndLeftAsItIs) {
  const std::string fifo = temp_path("pipe.safetensors");
  fs::remove(fifo);
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_THROW(save_safetensors(fifo, {{"w", ones({3})}}), Error);
  EXPECT_TRUE(fs::is_fifo(fifo));
  fs::remove(fifo);
}

TEST(Safetensors, RejectsTruncatedFiles) {
  const std::string path = temp_path("truncated.safetensors");
  save_safetensors(path, {{"w", ones({100})}});
  fs::resize_file(path, fs::file_size(path) - 10);
  try {
    load_safetensors(path);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("'w'"), std::string::npos) << e.what();
  }
  std::ofstream(path) << "xx";
  EXPECT_THROW(load_safetensors(path), Error);
}

TEST(Checkpoint, RestoresModelAndOptimizerExactly) {
  const std::string path = temp_path("model.safetensors");
  Generator gen(0);
  nn::MLP a({3, 8, 2}, nn::Activation::Tanh, gen);
  optim::Adam opt_a(a.parameters());
  sum(a(Var(randn({4, 3}, gen)))).backward();
  opt_a.step();
  save_checkpoint(path, a, &opt_a, {{"global_step", "128"}});

  nn::MLP b({3, 8, 2}, nn::Activation::Tanh, gen);
  optim::Adam opt_b(b.parameters());
  Metadata meta = load_checkpoint(path, b, &opt_b);
  EXPECT_EQ(meta.at("global_step"), "128");
  EXPECT_EQ(meta.at("optimizer"), "Adam");
  for (size_t k = 0; k < a.parameters().size(); ++k) {
    EXPECT_TRUE(equal(a.parameters()[k].value(), b.parameters()[k].value()));
  }
  // Same next step from the same state.
  opt_a.zero_grad();
  Tensor x = randn({4, 3}, gen);
  sum(a(Var(x))).backward();
  sum(b(Var(x))).backward();
  opt_a.step();
  opt_b.step();
  EXPECT_TRUE(equal(a.linear(0).weight.value(), b.linear(0).weight.value()));
}

TEST(Checkpoint, LoadNamesMissingExtraAndMisshapedTensors) {
  const std::string path = temp_path("mismatch.safetensors");
  Generator gen(0);
  nn::MLP small({3, 8, 2}, nn::Activation::Tanh, gen);
  nn::MLP wide({3, 9, 2}, nn::Activation::Tanh, gen);
  nn::MLP deep({3, 8, 8, 2}, nn::Activation::Tanh, gen);
  save_checkpoint(path, small);
  try {
    load_checkpoint(path, wide);
    FAIL();
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("0.weight (expected [9, 3], got [8, 3])"), std::string::npos) << m;
    EXPECT_NE(m.find("2.weight (expected [2, 9], got [2, 8])"), std::string::npos) << m;
  }
  try {
    load_checkpoint(path, deep);
    FAIL();
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("missing: 4.weight, 4.bias"), std::string::npos) << m;
  }
  save_checkpoint(path, deep);
  try {
    load_checkpoint(path, small);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("unexpected: 4.weight, 4.bias"), std::string::npos)
        << e.what();
  }
  optim::Adam opt(small.parameters());
  save_checkpoint(path, small);
  EXPECT_THROW(load_checkpoint(path, small, &opt), Error);
}

TEST(Checkpoint, PythonReadsItWithJsonAndNumpy) {
  if (std::system("/usr/bin/python3 -c 'import numpy' >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "/usr/bin/python3 has no numpy";
  }
  const std::string path = temp_path("python.safetensors");
  Tensor w = tensor({{1.0, 2.0, 3.0}, {4.0, 5.0, 6.0}});
  save_safetensors(path, {{"layer.weight", w}, {"steps", from_vector<int64_t>({5, 6}, {2})}},
                   {{"algo", "ppo"}});
  const std::string out_path = path + ".txt";
  const std::string cmd = std::string("/usr/bin/python3 ") + REIN_SOURCE_DIR +
                          "/tests/autograd/read_safetensors.py " + path + " > " + out_path;
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  std::ifstream in(out_path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text,
            "layer.weight F32 2x3 21.000000\n"
            "steps I64 2 11.000000\n"
            "meta algo=ppo\n");
}

}  // namespace
}  // namespace rein
