// nn::Module, layers, MLP and initialisers.
#include "autograd/nn.h"

#include <gtest/gtest.h>

#include <cmath>

#include "tensor/ops.h"

namespace rein {
namespace {

TEST(Module, NamesParametersRecursivelyLikeTorchSequential) {
  Generator gen(0);
  nn::MLP mlp({4, 8, 8, 2}, nn::Activation::Tanh, gen);
  std::vector<std::string> names;
  for (auto& [n, v] : mlp.named_parameters()) names.push_back(n);
  EXPECT_EQ(names, (std::vector<std::string>{"0.weight", "0.bias", "2.weight", "2.bias", "4.weight",
                                             "4.bias"}));
  EXPECT_EQ(mlp.num_parameters(), 4 * 8 + 8 + 8 * 8 + 8 + 8 * 2 + 2);
  for (const Var& p : mlp.parameters()) EXPECT_TRUE(p.requires_grad());
}

TEST(Module, TrainAndEvalReachChildren) {
  Generator gen(0);
  auto seq = std::make_shared<nn::Sequential>();
  auto lin = std::make_shared<nn::Linear>(2, 3, gen);
  seq->push_back(lin);
  seq->push_back(std::make_shared<nn::ReLU>());
  seq->eval();
  EXPECT_FALSE(lin->is_training());
  seq->train();
  EXPECT_TRUE(lin->is_training());
}

TEST(Module, LoadStateDictCopiesValuesAndNamesProblems) {
  Generator gen(0);
  nn::MLP a({3, 4, 1}, nn::Activation::ReLU, gen), b({3, 4, 1}, nn::Activation::ReLU, gen);
  b.load_state_dict(a.state_dict());
  EXPECT_TRUE(equal(a.linear(0).weight.value(), b.linear(0).weight.value()));
  EXPECT_FALSE(a.linear(0).weight.value().shares_storage(b.linear(0).weight.value()));

  nn::NamedTensors bad = a.state_dict();
  bad.erase(bad.begin());                 // missing 0.weight
  bad.emplace_back("extra", zeros({1}));  // unexpected
  bad[0].second = zeros({7});             // 0.bias with a wrong shape
  try {
    b.load_state_dict(bad);
    FAIL();
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("missing: 0.weight"), std::string::npos) << m;
    EXPECT_NE(m.find("unexpected: extra"), std::string::npos) << m;
    EXPECT_NE(m.find("0.bias (expected [4], got [7])"), std::string::npos) << m;
  }
}

TEST(Linear, ComputesXWTransposePlusBias) {
  Generator gen(0);
  nn::Linear lin(2, 2, gen);
  nn::init::constant_(lin.weight, 0.0);
  Tensor w = lin.weight.value();
  w.copy_(tensor({{1.0, 2.0}, {3.0, 4.0}}));
  Tensor b = lin.bias.value();
  b.copy_(tensor({0.5, -0.5}));
  Var y = lin(Var(tensor({{1.0, 1.0}})));
  EXPECT_EQ(y.value().tolist(), (std::vector<double>{3.5, 6.5}));
}

TEST(Linear, DefaultInitIsWithinTorchBound) {
  Generator gen(3);
  nn::Linear lin(16, 4, gen);
  const double bound = 1.0 / 4.0;
  for (double v : lin.weight.value().tolist()) EXPECT_LE(std::abs(v), bound);
  for (double v : lin.bias.value().tolist()) EXPECT_LE(std::abs(v), bound);
}

TEST(MLP, ForwardMatchesManualComposition) {
  Generator gen(1);
  nn::MLP mlp({3, 5, 2}, nn::Activation::Tanh, gen);
  Tensor x = randn({4, 3}, gen);
  Tensor h = tanh(add(matmul(x, mlp.linear(0).weight.value().t()), mlp.linear(0).bias.value()));
  Tensor y = add(matmul(h, mlp.linear(1).weight.value().t()), mlp.linear(1).bias.value());
  EXPECT_TRUE(allclose(mlp(Var(x)).value(), y, 1e-5, 1e-6));
}

// The same MLP written with separate ops: linear, then the activation as its own node.
Var unfused_mlp(nn::MLP& mlp, const Var& x) {
  Var h = x;
  for (size_t i = 0; i < mlp.num_linear(); ++i) {
    h = linear(h, mlp.linear(i).weight, mlp.linear(i).bias);
    if (i + 1 == mlp.num_linear()) break;
    switch (mlp.activation()) {
      case nn::Activation::ReLU:
        h = relu(h);
        break;
      case nn::Activation::Tanh:
        h = tanh(h);
        break;
      case nn::Activation::ELU:
        h = elu(h);
        break;
      case nn::Activation::GELU:
        h = gelu(h);
        break;
      case nn::Activation::Identity:
        break;
    }
  }
  return h;
}

TEST(MLP, FusedHiddenLayersGiveTheBitsOfSeparateOps) {
  for (auto act : {nn::Activation::Tanh, nn::Activation::ReLU, nn::Activation::ELU,
                   nn::Activation::GELU, nn::Activation::Identity}) {
    for (int64_t batch : {1, 7, 64}) {
      Generator gen(3);
      nn::MLP mlp({5, 33, 17, 3}, act, gen);
      const Tensor x = randn({batch, 5}, gen);
      Var y = mlp(Var(x));
      sum(square(y)).backward();
      std::vector<Tensor> fused_grads;
      for (const Var& p : mlp.parameters()) fused_grads.push_back(p.grad().clone());
      for (Var& p : mlp.parameters()) p.zero_grad();
      Var ref = unfused_mlp(mlp, Var(x));
      sum(square(ref)).backward();
      EXPECT_TRUE(equal(y.value(), ref.value())) << static_cast<int>(act) << " " << batch;
      for (size_t i = 0; i < fused_grads.size(); ++i)
        EXPECT_TRUE(equal(fused_grads[i], mlp.parameters()[i].grad())) << i;
      NoGradGuard no_grad;  // the tensor-only inference path
      EXPECT_TRUE(equal(mlp(Var(x)).value(), ref.value()));
      EXPECT_FALSE(mlp(Var(x)).requires_grad());
    }
  }
}

TEST(MLP, OneDimensionalInputAndInputGradients) {
  Generator gen(4);
  nn::MLP mlp({3, 6, 2}, nn::Activation::Tanh, gen);
  Var x(randn({3}, gen), true);
  Var y = mlp(x);
  EXPECT_EQ(y.shape(), Shape({2}));
  sum(y).backward();
  Var x2(x.value(), true);
  sum(unfused_mlp(mlp, x2)).backward();
  EXPECT_TRUE(equal(x.grad(), x2.grad()));
  EXPECT_THROW(mlp(Var(randn({2, 4}, gen))), Error);  // wrong width, on the no-graph path too
  NoGradGuard no_grad;
  EXPECT_THROW(mlp(Var(randn({2, 4}, gen))), Error);
}

// The no-grad path keeps hidden layers in per-thread scratch buffers: its results must be the
// graph's bits for every input layout and dtype, must not alias each other, and a layer it
// cannot map directly (a non-contiguous weight, a wrong width) must still work or still throw.
TEST(MLP, NoGradPathGivesTheGraphBitsOnEveryLayout) {
  for (Dtype dtype : {Dtype::Float32, Dtype::Float64}) {
    Generator gen(5);
    nn::MLP mlp({4, 64, 64, 2}, nn::Activation::Tanh, gen, dtype);
    const Tensor rows = randn({6, 4}, gen).to(dtype);
    const Tensor inputs[] = {rows.narrow(0, 0, 1), rows, rows.t().contiguous().t(),
                             rows.select(0, 2)};
    for (const Tensor& x : inputs) {
      const Tensor ref = unfused_mlp(mlp, Var(x)).value().clone();
      NoGradGuard no_grad;
      Var y = mlp(Var(x));
      EXPECT_EQ(y.shape(), ref.shape());
      EXPECT_TRUE(equal(y.value(), ref)) << dtype_name(dtype) << " " << x.shape();
      Var other = mlp(Var(randn({1, 4}, gen).to(dtype)));  // reuses the scratch buffers
      EXPECT_TRUE(equal(y.value(), ref));
      EXPECT_FALSE(y.value().shares_storage(other.value()));
    }
    // A transposed (non-contiguous) weight goes layer by layer, with the same bits.
    Var& w1 = mlp.linear(1).weight;
    w1.set_value(w1.value().t().contiguous().t());
    const Tensor ref = unfused_mlp(mlp, Var(rows)).value().clone();
    NoGradGuard no_grad;
    EXPECT_TRUE(equal(mlp(Var(rows)).value(), ref));
    w1.set_value(randn({64, 63}, gen).to(dtype));  // a hidden width that no longer matches
    EXPECT_THROW(mlp(Var(rows)), Error);
  }
}

TEST(LayerNorm, NormalisesTheLastDimension) {
  nn::LayerNorm ln(4);
  Var y = ln(Var(tensor({{1.0, 2.0, 3.0, 4.0}, {2.0, 2.0, 2.0, 6.0}})));
  Tensor m = mean(y.value(), 1);
  Tensor v = var(y.value(), int64_t{1}, false);
  for (double x : m.tolist()) EXPECT_NEAR(x, 0.0, 1e-6);
  for (double x : v.tolist()) EXPECT_NEAR(x, 1.0, 1e-4);
}

TEST(Activations, ParseNamesAndRejectUnknown) {
  EXPECT_EQ(nn::activation_from_string("Tanh"), nn::Activation::Tanh);
  EXPECT_EQ(nn::activation_from_string("relu"), nn::Activation::ReLU);
  EXPECT_EQ(nn::activation_from_string("GELU"), nn::Activation::GELU);
  EXPECT_EQ(nn::make_activation(nn::Activation::GELU)->name(), "GELU");
  EXPECT_THROW(nn::activation_from_string("swish"), Error);
}

TEST(Init, OrthogonalRowsAreOrthonormalTimesGain) {
  Generator gen(5);
  Var w(empty({4, 6}, Dtype::Float64), true);
  nn::init::orthogonal_(w, 2.0, gen);
  Tensor wwt = matmul(w.value(), w.value().t());  // 4 x 4 = gain^2 I
  EXPECT_TRUE(allclose(wwt, eye(4, Dtype::Float64) * 4.0, 1e-10, 1e-10));
  Var tall(empty({6, 3}, Dtype::Float64), true);
  nn::init::orthogonal_(tall, 1.0, gen);
  EXPECT_TRUE(
      allclose(matmul(tall.value().t(), tall.value()), eye(3, Dtype::Float64), 1e-10, 1e-10));
}

TEST(Init, SameSeedGivesSameWeights) {
  Generator g1(9), g2(9);
  nn::MLP a({4, 8, 2}, nn::Activation::ReLU, g1), b({4, 8, 2}, nn::Activation::ReLU, g2);
  EXPECT_TRUE(equal(a.linear(0).weight.value(), b.linear(0).weight.value()));
}

TEST(Init, XavierAndKaimingRespectTheirBounds) {
  Generator gen(2);
  Var w(empty({50, 30}), true);
  nn::init::xavier_uniform_(w, gen);
  const double a = std::sqrt(6.0 / 80.0);
  for (double v : w.value().tolist()) EXPECT_LE(std::abs(v), a);
  nn::init::kaiming_uniform_(w, gen);
  const double b = std::sqrt(2.0) * std::sqrt(3.0 / 30.0);
  for (double v : w.value().tolist()) EXPECT_LE(std::abs(v), b);
  nn::init::kaiming_normal_(w, gen);
  EXPECT_NEAR(std(w.value()).item(), std::sqrt(2.0 / 30.0), 0.02);
  Var v1(empty({3}), true);
  EXPECT_THROW(nn::init::xavier_uniform_(v1, gen), Error);
}

}  // namespace
}  // namespace rein
