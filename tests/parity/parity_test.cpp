// PyTorch parity: rebuilds the programs of tests/parity/generate.py with rein from the inputs
// stored in fixtures.json and compares forward values and gradients (float32 to 1e-5, float64
// to 1e-10), and the first 10 steps of each optimizer (1e-6). No PyTorch needed at test time.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>

#include "autograd/distributions.h"
#include "autograd/nn.h"
#include "autograd/optim.h"
#include "tensor/ops.h"

namespace rein {
namespace {

using json = nlohmann::json;
using Inputs = std::map<std::string, Var>;
using Program = std::function<Var(Inputs&)>;

// tests/parity/<file>, parsed.
json load_fixture(const std::string& file) {
  std::ifstream in(std::string(REIN_SOURCE_DIR) + "/tests/parity/" + file);
  if (!in) throw Error(str("parity: tests/parity/", file, " not found"));
  return json::parse(in);
}

const json& fixtures() {
  static const json data = load_fixture("fixtures.json");
  return data;
}

Tensor decode(const json& j) {
  const std::string kind = j.at("dtype");
  Shape shape(j.at("shape").get<std::vector<int64_t>>());
  const auto data = j.at("data").get<std::vector<double>>();
  Tensor t = from_vector<double>(data, shape);
  if (kind == "float32") return t.to(Dtype::Float32);
  if (kind == "int64") return t.to(Dtype::Int64);
  if (kind == "bool") return ne(t, zeros_like(t));
  return t;
}

// Element-wise |a - b| <= tol * max(1, |b|); reports the first offending element.
::testing::AssertionResult close(const Tensor& actual, const Tensor& expected, double tol) {
  if (!(actual.shape() == expected.shape())) {
    return ::testing::AssertionFailure()
           << "shape " << actual.shape() << " vs " << expected.shape();
  }
  const auto a = actual.tolist(), b = expected.tolist();
  for (size_t i = 0; i < a.size(); ++i) {
    if (!(std::abs(a[i] - b[i]) <= tol * std::max(1.0, std::abs(b[i])))) {
      return ::testing::AssertionFailure()
             << "element " << i << ": rein " << a[i] << " vs torch " << b[i];
    }
  }
  return ::testing::AssertionSuccess();
}

Var ppo_loss(Inputs& v) {
  Var h = tanh(linear(v["obs"], v["w0"], v["b0"]));
  Var logits = linear(h, v["w1"], v["b1"]);
  Var logp_all = log_softmax(logits, 1);
  Var logp = squeeze(gather(logp_all, 1, v["act"].value().unsqueeze(1)), 1);
  Var ratio = exp(logp - v["c_old_logp"]);
  Var neg_adv = -v["c_adv"];
  Var pg = mean(maximum(neg_adv * ratio, neg_adv * clamp(ratio, 0.8, 1.2)));
  Var entropy = mean(-sum(exp(logp_all) * logp_all, 1));
  return pg - 0.01 * entropy;
}

Var dqn_loss(Inputs& v) {
  Var h = relu(linear(v["obs"], v["w0"], v["b0"]));
  Var q = linear(h, v["w1"], v["b1"]);
  Var q_sa = squeeze(gather(q, 1, v["act"].value().unsqueeze(1)), 1);
  Var target = v["c_reward"] + 0.99 * (1.0 - v["c_done"]) * max(v["c_next_q"], 1).first;
  return nn::smooth_l1_loss(q_sa, target);
}

Var gaussian(Inputs& v) {
  distributions::Normal d(v["mean"], exp(v["log_std"]));
  return d.log_prob(v["c_action"]) + 0.5 * d.entropy();
}

Var categorical(Inputs& v) {
  distributions::Categorical d(v["logits"], v["m"].value());
  return d.log_prob(v["act"].value()) + d.entropy();
}

const std::map<std::string, Program>& programs() {
  static const std::map<std::string, Program> p = {
      {"add_broadcast", [](Inputs& v) { return v["a"] + v["b"]; }},
      {"sub_broadcast", [](Inputs& v) { return v["a"] - v["b"]; }},
      {"mul_div", [](Inputs& v) { return v["a"] * v["b"] / (v["b"] + 1.0) - 2.0 / v["b"]; }},
      {"pow", [](Inputs& v) { return pow(v["a"], v["b"]) + pow(v["a"], 2.5); }},
      {"minimum_maximum",
       [](Inputs& v) { return minimum(v["a"], v["b"]) * 2.0 + maximum(v["a"], v["b"]); }},
      {"exp_log", [](Inputs& v) { return exp(v["a"]) + log(v["a"]) + log1p(v["a"]); }},
      {"sqrt_rsqrt_abs", [](Inputs& v) { return sqrt(v["a"]) + rsqrt(v["a"]) + abs(v["b"]); }},
      {"tanh_sigmoid", [](Inputs& v) { return tanh(v["a"]) * sigmoid(v["a"]); }},
      {"relu_elu_softplus",
       [](Inputs& v) { return relu(v["a"]) + elu(v["a"], 0.8) + softplus(v["a"]); }},
      {"square_clamp", [](Inputs& v) { return square(v["a"]) + clamp(v["a"], -0.5, 0.7); }},
      {"where_masked_fill",
       [](Inputs& v) {
         const Tensor m = v["m"].value();
         return where(m, v["a"], v["b"]) + masked_fill(v["a"], m, 2.0);
       }},
      {"sum_mean_dims",
       [](Inputs& v) { return sum(v["a"], 1) * sum(mean(v["a"], 0, true)) + mean(v["a"]); }},
      {"var_std", [](Inputs& v) { return var(v["a"], 1) + std(v["a"], 1, false) + var(v["a"]); }},
      {"norm", [](Inputs& v) { return norm(v["a"]) + norm(v["a"], 1.0); }},
      {"logsumexp", [](Inputs& v) { return logsumexp(v["a"], 1); }},
      {"max_min_dim",
       [](Inputs& v) { return max(v["a"], 1).first + sum(min(v["a"], 0, true).first); }},
      {"max_all", [](Inputs& v) { return max(v["a"]) - min(v["a"]); }},
      {"softmax_log_softmax",
       [](Inputs& v) { return softmax(v["a"], 1) * log_softmax(v["a"], 0); }},
      {"matmul",
       [](Inputs& v) { return matmul(v["a"], v["b"]) + unsqueeze(matmul(v["a"], v["c"]), 1); }},
      {"bmm", [](Inputs& v) { return bmm(v["a"], v["b"]); }},
      {"linear", [](Inputs& v) { return linear(v["x"], v["w"], v["b"]); }},
      {"views",
       [](Inputs& v) {
         return reshape(transpose(v["a"], 0, 2), {4, 6}) * 2.0 +
                flatten(permute(v["a"], {2, 0, 1}), 1);
       }},
      {"slices",
       [](Inputs& v) {
         return slice(v["a"], 1, 1, 5, 2) * sum(narrow(v["a"], 0, 1, 2)) +
                unsqueeze(select(v["a"], 1, -1), 1);
       }},
      {"cat_stack",
       [](Inputs& v) {
         return sum(cat({v["a"], v["b"] * 2.0}, 1), 1) +
                sum(sum(pow(stack({v["a"], v["b"]}, 1), 2.0), 2), 1);
       }},
      {"gather_index_select",
       [](Inputs& v) {
         return sum(gather(v["a"], 1, v["i"].value()), 1) +
                sum(index_select(v["a"], 0, v["r"].value()));
       }},
      {"mse_loss", [](Inputs& v) { return nn::mse_loss(v["a"], v["t"]); }},
      {"smooth_l1_loss",
       [](Inputs& v) { return nn::smooth_l1_loss(v["a"], v["t"], nn::Reduction::Sum, 0.5); }},
      {"huber_loss",
       [](Inputs& v) { return nn::huber_loss(v["a"], v["t"], nn::Reduction::None, 0.7); }},
      {"cross_entropy", [](Inputs& v) { return nn::cross_entropy(v["a"], v["y"].value()); }},
      {"nll_loss",
       [](Inputs& v) {
         return nn::nll_loss(log_softmax(v["a"], 1), v["y"].value(), nn::Reduction::Sum);
       }},
      {"layer_norm",
       [](Inputs& v) {
         // The fixture's w and b act as the affine parameters (so their gradients are checked).
         nn::LayerNorm plain(6, 1e-5, false, v["a"].dtype());
         return plain(v["a"]) * v["w"] + v["b"];
       }},
      {"mlp_ppo_clipped", Program(ppo_loss)},
      {"mlp_ppo_clipped_f64", ppo_loss},
      {"dqn_huber_gather", dqn_loss},
      {"dqn_huber_gather_f64", dqn_loss},
      {"gaussian_logprob_entropy", gaussian},
      {"gaussian_logprob_entropy_f64", gaussian},
      {"categorical_masked", categorical},
  };
  return p;
}

TEST(Parity, FixturesCoverAtLeastThirtyPrograms) {
  EXPECT_GE(fixtures().at("programs").size(), 30u);
  EXPECT_GE(fixtures().at("optimizers").size(), 5u);
}

TEST(Parity, ForwardAndGradientsMatchPyTorch) {
  for (const json& prog : fixtures().at("programs")) {
    const std::string name = prog.at("name");
    SCOPED_TRACE(name);
    auto it = programs().find(name);
    ASSERT_NE(it, programs().end()) << "no rein program for fixture " << name;
    const double tol = prog.at("dtype") == "float64" ? 1e-10 : 1e-5;
    Inputs inputs;
    for (const auto& [k, j] : prog.at("inputs").items()) {
      Tensor t = decode(j);
      const bool grad = is_floating(t.dtype()) && k.rfind("c_", 0) != 0;
      inputs[k] = Var(t, grad);
    }
    Var out = it->second(inputs);
    EXPECT_TRUE(close(out.value(), decode(prog.at("output")), tol)) << "output";
    out.backward(decode(prog.at("seed")));
    for (const auto& [k, j] : prog.at("grads").items()) {
      ASSERT_TRUE(inputs[k].grad().defined()) << "no gradient for " << k;
      EXPECT_TRUE(close(inputs[k].grad(), decode(j), tol)) << "gradient of " << k;
    }
  }
}

std::unique_ptr<optim::Optimizer> make_optimizer(const std::string& name, std::vector<Var> p) {
  using namespace optim;
  if (name == "sgd") return std::make_unique<SGD>(p, SGDOptions{.lr = 0.1});
  if (name == "sgd_momentum_wd") {
    return std::make_unique<SGD>(
        p, SGDOptions{.lr = 0.05, .momentum = 0.9, .dampening = 0.1, .weight_decay = 0.01});
  }
  if (name == "sgd_nesterov") {
    return std::make_unique<SGD>(p, SGDOptions{.lr = 0.05, .momentum = 0.9, .nesterov = true});
  }
  if (name == "adam") return std::make_unique<Adam>(p, AdamOptions{.lr = 0.01});
  if (name == "adam_l2") {
    return std::make_unique<Adam>(
        p, AdamOptions{.lr = 0.01, .beta1 = 0.8, .beta2 = 0.99, .eps = 1e-6, .weight_decay = 0.1});
  }
  if (name == "adamw") {
    return std::make_unique<Adam>(
        p, AdamOptions{.lr = 0.01, .weight_decay = 0.1, .decoupled_weight_decay = true});
  }
  if (name == "rmsprop") return std::make_unique<RMSprop>(p, RMSpropOptions{.lr = 0.01});
  if (name == "rmsprop_centered_momentum") {
    return std::make_unique<RMSprop>(p, RMSpropOptions{.lr = 0.01,
                                                       .alpha = 0.9,
                                                       .eps = 1e-5,
                                                       .weight_decay = 0.1,
                                                       .momentum = 0.5,
                                                       .centered = true});
  }
  return nullptr;
}

TEST(Parity, OptimizersMatchTorchOptimForTenSteps) {
  for (const json& case_ : fixtures().at("optimizers")) {
    const std::string name = case_.at("name");
    SCOPED_TRACE(name);
    Var w(decode(case_.at("w0")), true), b(decode(case_.at("b0")), true);
    const Tensor x = decode(case_.at("x")), t = decode(case_.at("t"));
    auto opt = make_optimizer(name, {w, b});
    ASSERT_NE(opt, nullptr) << "no rein optimizer for fixture " << name;
    SCOPED_TRACE(w.dtype() == Dtype::Float32 ? "float32" : "float64");
    int step = 0;
    for (const json& expected : case_.at("steps")) {
      opt->zero_grad();
      mean(pow(tanh(linear(x, w, b)) - t, 2.0)).backward();
      opt->step();
      ++step;
      EXPECT_TRUE(close(w.value(), decode(expected.at("w")), 1e-6)) << "w after step " << step;
      EXPECT_TRUE(close(b.value(), decode(expected.at("b")), 1e-6)) << "b after step " << step;
    }
  }
}

}  // namespace
}  // namespace rein

// gSDE against tests/parity/generate_gsde.py (gsde_fixtures.json): the state-dependent Gaussian's
// log-prob, entropy and reparameterised samples, with every option combination that changes
// the formulas, and SAC's actor path.
namespace rein {
namespace {

const json& gsde_fixtures() {
  static const json data = load_fixture("gsde_fixtures.json");
  return data;
}

TEST(GsdeParity, LogProbEntropySamplesAndGradientsMatchPyTorch) {
  ASSERT_GE(gsde_fixtures().at("cases").size(), 12u);
  for (const json& c : gsde_fixtures().at("cases")) {
    SCOPED_TRACE(c.at("name").get<std::string>());
    const json& o = c.at("options");
    const distributions::StateDependentNoiseOptions opts{.full_std = o.at("full_std"),
                                                         .use_expln = o.at("use_expln"),
                                                         .squash_output = o.at("squash_output"),
                                                         .learn_features = o.at("learn_features")};
    const double tol = c.at("dtype") == "float64" ? 1e-10 : 1e-5;
    const json& in = c.at("inputs");
    Var mean(decode(in.at("mean")), true), log_std(decode(in.at("log_std")), true),
        latent(decode(in.at("latent")), true);
    const Tensor actions = decode(in.at("c_actions")), eps_single = decode(in.at("c_eps_single")),
                 eps_batch = decode(in.at("c_eps_batch"));
    distributions::StateDependentNoise dist(mean, log_std, latent, opts);
    Var out = dist.log_prob(Var(actions));
    if (!opts.squash_output) out = out + dist.entropy();
    distributions::ExplorationMatrices per_row, single;
    per_row.resample_from(log_std, eps_single, eps_batch, opts);  // B matrices: one per row
    single.resample_from(log_std, eps_single, eps_batch.narrow(0, 0, 1), opts);  // B != 1
    out = out + sum(dist.sample(per_row), 1) + 0.5 * sum(dist.sample(single), 1);
    EXPECT_TRUE(close(out.value(), decode(c.at("output")), tol)) << "output";
    out.backward(decode(c.at("seed")));
    std::map<std::string, Var*> vars{{"mean", &mean}, {"log_std", &log_std}, {"latent", &latent}};
    EXPECT_EQ(c.at("grads").contains("latent"), opts.learn_features);
    if (!opts.learn_features) {
      EXPECT_FALSE(latent.grad().defined()) << "latent must be detached";
    }
    for (const auto& [k, j] : c.at("grads").items()) {
      ASSERT_TRUE(vars.at(k)->grad().defined()) << "no gradient for " << k;
      EXPECT_TRUE(close(vars.at(k)->grad(), decode(j), tol)) << "gradient of " << k;
    }
  }
}

// SAC's actor with gSDE (the "sac_cases"): features feeding the clipped mean and the noise, one
// exploration matrix drawn with gradients, the log-probability of the sampled action.
TEST(GsdeParity, SacActorPathMatchesPyTorch) {
  ASSERT_GE(gsde_fixtures().at("sac_cases").size(), 4u);
  for (const json& c : gsde_fixtures().at("sac_cases")) {
    SCOPED_TRACE(c.at("name").get<std::string>());
    const json& o = c.at("options");
    const distributions::StateDependentNoiseOptions opts{.full_std = o.at("full_std"),
                                                         .use_expln = o.at("use_expln"),
                                                         .squash_output = true,
                                                         .learn_features = true};
    const double tol = c.at("dtype") == "float64" ? 1e-10 : 1e-5;
    const json& in = c.at("inputs");
    std::map<std::string, Var> vars;
    for (const char* k : {"w1", "b1", "wm", "bm", "log_std"})
      vars.emplace(k, Var(decode(in.at(k)), true));
    const Tensor eps_single = decode(in.at("c_eps_single"));
    Var z = tanh(linear(Var(decode(in.at("c_obs"))), vars.at("w1"), vars.at("b1")));
    Var mean = clamp(linear(z, vars.at("wm"), vars.at("bm")), -2.0, 2.0);
    distributions::StateDependentNoise dist(mean, vars.at("log_std"), z, opts);
    distributions::ExplorationMatrices w;
    w.resample_from(vars.at("log_std"), eps_single, eps_single.unsqueeze(0), opts);
    Var actions = dist.sample(w);
    Var out = dist.log_prob(actions) + sum(actions, 1);
    EXPECT_TRUE(close(out.value(), decode(c.at("output")), tol)) << "output";
    out.backward(decode(c.at("seed")));
    for (const auto& [k, j] : c.at("grads").items()) {
      ASSERT_TRUE(vars.at(k).grad().defined()) << "no gradient for " << k;
      EXPECT_TRUE(close(vars.at(k).grad(), decode(j), tol)) << "gradient of " << k;
    }
  }
}

}  // namespace
}  // namespace rein

// conv2d against tests/parity/generate_conv.py (conv_fixtures.json): single convolutions with
// stride, padding and no bias, and a NatureCNN whose inputs both sides build from a formula.
namespace rein {
namespace {

Tensor formula_tensor(const json& f, Dtype dtype) {
  const Shape shape(f.at("shape").get<std::vector<int64_t>>());
  const double scale = f.at("scale"), phase = f.at("phase"), offset = f.at("offset");
  std::vector<double> v(static_cast<size_t>(shape.numel()));
  for (size_t i = 0; i < v.size(); ++i)
    v[i] = offset + scale * std::sin(0.37 * static_cast<double>(i) + phase);
  return from_vector<double>(v, shape).to(dtype);
}

TEST(ConvParity, Conv2dAndNatureCnnMatchPyTorch) {
  static const json data = load_fixture("conv_fixtures.json");
  ASSERT_GE(data.at("cases").size(), 4u);
  for (const json& c : data.at("cases")) {
    SCOPED_TRACE(c.at("name").get<std::string>());
    const bool f64 = c.at("dtype") == "float64";
    const double tol = f64 ? 1e-10 : 1e-5;
    const bool nature = c.at("nature");
    std::map<std::string, Var> v;
    if (nature) {
      for (const auto& [k, f] : c.at("formulas").items())
        v.emplace(k, Var(formula_tensor(f, f64 ? Dtype::Float64 : Dtype::Float32), true));
    } else {
      for (const auto& [k, j] : c.at("inputs").items()) v.emplace(k, Var(decode(j), true));
    }
    Var h = v.at("x");
    const json& layers = c.at("layers");
    for (size_t i = 0; i < layers.size(); ++i) {
      const auto b = v.find(str("b", i));
      h = conv2d(h, v.at(str("w", i)), b == v.end() ? Var() : b->second, layers[i].at("stride"),
                 layers[i].at("padding"));
      if (nature) h = relu(h);
    }
    if (nature) h = relu(linear(flatten(h, 1), v.at("wl"), v.at("bl")));
    EXPECT_TRUE(close(h.value(), decode(c.at("output")), tol)) << "output";
    h.backward(nature ? ones_like(h.value()) : decode(c.at("seed")));
    for (const auto& [k, j] : c.at("grads").items()) {
      SCOPED_TRACE("gradient of " + k);
      const Tensor g = v.at(k).grad();
      ASSERT_TRUE(g.defined());
      if (!nature) {
        EXPECT_TRUE(close(g, decode(j), tol));
        continue;
      }
      const auto all = g.tolist();
      const auto samples = j.at("samples").get<std::vector<double>>();
      const size_t every = j.at("every");
      std::vector<double> picked;
      for (size_t i = 0; i < all.size(); i += every) picked.push_back(all[i]);
      EXPECT_TRUE(close(from_vector<double>(picked), from_vector<double>(samples), tol));
      double s = 0, s2 = 0;
      for (double x : all) s += x, s2 += x * x;
      const double want_s = j.at("sum"), want_s2 = j.at("sumsq");
      // Sums of many terms: relative to the larger of the sum and the sum of magnitudes.
      EXPECT_NEAR(s, want_s, tol * std::max(1.0, std::sqrt(want_s2 * all.size())));
      EXPECT_NEAR(s2, want_s2, tol * std::max(1.0, want_s2));
    }
  }
}

}  // namespace
}  // namespace rein

// gelu against tests/parity/generate_gelu.py (gelu_fixtures.json): the function over its range
// and an MLP Linear-GELU-Linear, in float32 and float64.
namespace rein {
namespace {

TEST(GeluParity, GeluAndAGeluMlpMatchPyTorch) {
  static const json data = load_fixture("gelu_fixtures.json");
  ASSERT_GE(data.at("cases").size(), 4u);
  for (const json& c : data.at("cases")) {
    SCOPED_TRACE(c.at("name").get<std::string>());
    const double tol = c.at("dtype") == "float64" ? 1e-10 : 1e-5;
    std::map<std::string, Var> v;
    for (const auto& [k, j] : c.at("inputs").items()) v.emplace(k, Var(decode(j), true));
    Var out = c.at("mlp")
                  ? linear(gelu(linear(v.at("x"), v.at("w0"), v.at("b0"))), v.at("w1"), v.at("b1"))
                  : gelu(v.at("x"));
    EXPECT_TRUE(close(out.value(), decode(c.at("output")), tol)) << "output";
    out.backward(decode(c.at("seed")));
    for (const auto& [k, j] : c.at("grads").items()) {
      ASSERT_TRUE(v.at(k).grad().defined()) << k;
      EXPECT_TRUE(close(v.at(k).grad(), decode(j), tol)) << "gradient of " << k;
    }
  }
}

}  // namespace
}  // namespace rein
