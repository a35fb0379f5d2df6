// ReplayBuffer: ring writes, n-step expansion, uniform and prioritized sampling, checkpoints.
#include "rl/internal/replay_buffer.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "base/error.h"

namespace rein::rl::internal {

namespace {

// Throws unless the buffer fits the machine's memory; returns `options` for the member
// initialisers, so that nothing is allocated (the sum tree is the first member that is) before
// a buffer larger than the machine is refused: SB3's default buffer_size of image rows, a
// Box of many actions, or a crafted size would otherwise end in a bad_alloc or the OOM killer.
const ReplayOptions& checked_fits_memory(const ReplayOptions& options) {
  check_replay_fits_memory(options, memory_budget(options.memory_bytes));
  return options;
}

}  // namespace

double replay_bytes_per_slot(const ReplayOptions& o) {
  const double obs = static_cast<double>(o.one_hot > 0 ? 1 : o.obs_dim) * (o.pixels ? 1.0 : 4.0);
  const double actions = 4.0 * static_cast<double>(std::max<int64_t>(o.action_dim, 1));
  const double tree = o.prioritized ? 2.0 * 2.0 * sizeof(double) : 0.0;  // leaves padded to 2^k
  return obs + actions + sizeof(float) /* reward */ + 1.0 /* flags */ + tree;
}

MemoryUse replay_memory(const ReplayOptions& o, double memory_bytes) {
  const double per_slot = replay_bytes_per_slot(o);
  const int64_t row = o.one_hot > 0 ? 1 : o.obs_dim;
  return {str("a replay buffer of buffer_size ", o.capacity, " transitions of ", per_slot,
              " bytes (observations of ", row, o.pixels ? " bytes" : " floats",
              o.action_dim > 0 ? str(", actions of ", o.action_dim, " floats") : "", ")"),
          static_cast<double>(std::max<int64_t>(o.capacity, 0)) * per_slot,
          str("buffer_size (e.g. --set buffer_size=",
              static_cast<int64_t>(memory_bytes / 4.0 / per_slot), ")")};
}

void check_replay_fits_memory(const ReplayOptions& o, double memory_bytes) {
  check_memory(o.owner, {replay_memory(o, memory_bytes)}, memory_bytes);
}

ReplayBuffer::ReplayBuffer(const ReplayOptions& options)
    : opt_(checked_fits_memory(options)),
      n_envs_(options.n_envs),
      ring_(options.n_envs > 0 ? options.capacity / options.n_envs : 0),
      stored_dim_(options.one_hot > 0 ? 1 : options.obs_dim),
      action_width_(std::max<int64_t>(options.action_dim, 1)),
      tree_(options.prioritized ? std::max<int64_t>(1, ring_ * n_envs_) : 1) {
  if (n_envs_ < 1) throw Error(str("replay buffer: n_envs must be >= 1, got ", n_envs_));
  if (opt_.n_step < 1) throw Error(str("replay buffer: n_step must be >= 1, got ", opt_.n_step));
  // Each ring must hold an n-step window plus a final and a pending slot.
  if (ring_ < opt_.n_step + 3)
    throw Error(str("replay buffer: buffer_size ", opt_.capacity, " leaves ", ring_,
                    " slots per env for ", n_envs_,
                    " envs (need at least n_step + 3 = ", opt_.n_step + 3, ")"));
  const size_t slots = static_cast<size_t>(n_envs_ * ring_);
  if (opt_.pixels)
    pixels_.assign(slots * static_cast<size_t>(stored_dim_), 0);
  else
    obs_.assign(slots * static_cast<size_t>(stored_dim_), 0.0f);
  // A float holds every Discrete index below 2^24 exactly.
  if (opt_.action_dim == 0 && opt_.n_actions > (int64_t{1} << 24))
    throw Error(
        str("replay buffer: ", opt_.n_actions, " actions exceed the 2^24 it stores exactly"));
  actions_.assign(slots * static_cast<size_t>(action_width_), 0.0f);
  rewards_.assign(slots, 0.0f);
  flags_.assign(slots, 0);
  pos_.assign(static_cast<size_t>(n_envs_), 0);
  filled_.assign(static_cast<size_t>(n_envs_), 0);
  started_.assign(static_cast<size_t>(n_envs_), 0);
  pow_gamma_.resize(static_cast<size_t>(opt_.n_step + 1));
  for (int64_t k = 0; k <= opt_.n_step; ++k)
    pow_gamma_[static_cast<size_t>(k)] = std::pow(opt_.gamma, k);
}

void ReplayBuffer::invalidate(int64_t slot) {
  uint8_t& f = flags_[static_cast<size_t>(slot)];
  if (f & kValid) {
    --transitions_;
    if (opt_.prioritized) tree_.set(slot, 0.0);
  }
  f = 0;
}

void ReplayBuffer::mark_valid(int64_t slot) {
  ++transitions_;
  if (opt_.prioritized) tree_.set(slot, std::pow(max_priority_, opt_.alpha));
}

void ReplayBuffer::advance(int64_t env) {
  auto e = static_cast<size_t>(env);
  pos_[e] = (pos_[e] + 1) % ring_;
  filled_[e] = std::min(filled_[e] + 1, ring_);
}

void ReplayBuffer::write_obs(int64_t env, ObsRow obs, uint8_t flags) {
  if ((obs.bytes != nullptr) != opt_.pixels)
    throw Error(opt_.pixels ? "replay buffer: a row of floats for a buffer of image bytes"
                            : "replay buffer: a row of bytes for a buffer of float rows");
  const int64_t slot = pending_slot(env);
  invalidate(slot);
  flags_[static_cast<size_t>(slot)] = flags;
  const auto at = static_cast<size_t>(slot * stored_dim_);
  if (opt_.pixels)
    std::memcpy(&pixels_[at], obs.bytes, static_cast<size_t>(stored_dim_));
  else
    std::memcpy(&obs_[at], obs.floats, static_cast<size_t>(stored_dim_) * sizeof(float));
}

void ReplayBuffer::start(int64_t env, ObsRow obs) {
  auto e = static_cast<size_t>(env);
  // A stream that was running keeps its pending observation as the successor of its last
  // transition (marked final: never sampled); the new stream starts in the next slot.
  if (started_[e]) {
    flags_[static_cast<size_t>(pending_slot(env))] = kFinal;
    advance(env);
  } else {
    filled_[e] = std::max<int64_t>(filled_[e], 1);
  }
  started_[e] = 1;
  write_obs(env, obs, 0);
}

void ReplayBuffer::add(int64_t env, int64_t action, float reward, bool terminated, bool truncated,
                       ObsRow next_obs, ObsRow reset_obs) {
  const auto a = static_cast<float>(action);
  add(env, std::span<const float>(&a, 1), reward, terminated, truncated, next_obs, reset_obs);
}

void ReplayBuffer::add(int64_t env, std::span<const float> action, float reward, bool terminated,
                       bool truncated, ObsRow next_obs, ObsRow reset_obs) {
  if (!started_[static_cast<size_t>(env)])
    throw Error(str("replay buffer: add() on env ", env, " before start()"));
  if (static_cast<int64_t>(action.size()) != action_width_)
    throw Error(
        str("replay buffer: an action of ", action.size(), " values, expected ", action_width_));
  const int64_t slot = pending_slot(env);
  std::copy(action.begin(), action.end(), actions_.begin() + slot * action_width_);
  write_transition(env, reward, terminated, truncated, next_obs, reset_obs);
}

void ReplayBuffer::write_transition(int64_t env, float reward, bool terminated, bool truncated,
                                    ObsRow next_obs, ObsRow reset_obs) {
  const bool done = terminated || truncated;
  const int64_t slot = pending_slot(env);
  rewards_[static_cast<size_t>(slot)] = reward;
  flags_[static_cast<size_t>(slot)] =
      static_cast<uint8_t>(kValid | (done ? kDone : 0) | (terminated ? kTerminated : 0));
  mark_valid(slot);
  advance(env);
  write_obs(env, next_obs, done ? kFinal : 0);
  if (done) {
    advance(env);
    write_obs(env, reset_obs, 0);
  }
}

ReplayBuffer::NStep ReplayBuffer::n_step_target(int64_t slot) const {
  const int64_t env = slot / ring_, p = slot % ring_;
  double ret = 0.0;
  for (int64_t k = 0;; ++k) {
    const int64_t j = env * ring_ + (p + k) % ring_;
    const int64_t next = env * ring_ + (p + k + 1) % ring_;
    ret += pow_gamma_[static_cast<size_t>(k)] * rewards_[static_cast<size_t>(j)];
    const uint8_t f = flags_[static_cast<size_t>(j)];
    const double disc = pow_gamma_[static_cast<size_t>(k + 1)];
    if (f & kDone) return {ret, (f & kTerminated) ? 0.0 : disc, next};
    // Stop after n steps, or before the pending slot (its step has not happened yet).
    if (k + 1 == opt_.n_step || !(flags_[static_cast<size_t>(next)] & kValid))
      return {ret, disc, next};
  }
}

void ReplayBuffer::copy_obs(int64_t slot, float* out) const {
  if (opt_.pixels) {
    // The same division ObsEncoder makes: sampled rows equal the rows that were stored.
    const uint8_t* p = &pixels_[static_cast<size_t>(slot * stored_dim_)];
    for (int64_t j = 0; j < stored_dim_; ++j) out[j] = static_cast<float>(p[j]) / 255.0f;
    return;
  }
  const float* src = &obs_[static_cast<size_t>(slot * stored_dim_)];
  if (opt_.one_hot > 0) {
    std::fill(out, out + opt_.obs_dim, 0.0f);
    out[static_cast<int64_t>(src[0])] = 1.0f;
  } else {
    std::memcpy(out, src, static_cast<size_t>(stored_dim_) * sizeof(float));
  }
}

void ReplayBuffer::sample(int64_t batch, Generator& gen, double beta, ReplayBatch& out) {
  if (transitions_ == 0) throw Error("replay buffer: sample() on an empty buffer");
  if (!out.obs.defined() || out.obs.size(0) != batch) {
    out.obs = empty({batch, opt_.obs_dim});
    out.next_obs = empty({batch, opt_.obs_dim});
    out.actions =
        opt_.action_dim > 0 ? empty({batch, opt_.action_dim}) : empty({batch, 1}, Dtype::Int64);
    out.returns = empty({batch});
    out.discounts = empty({batch});
    out.weights = empty({batch});
  }
  out.slots.resize(static_cast<size_t>(batch));
  float* w = out.weights.data<float>();
  if (opt_.prioritized) {
    // Stratified: one draw in each of `batch` equal slices of the priority mass.
    const double total = tree_.total();
    const double seg = total / static_cast<double>(batch);
    double wmax = 0.0;
    for (int64_t b = 0; b < batch; ++b) {
      const int64_t slot = tree_.find((static_cast<double>(b) + gen.uniform()) * seg);
      out.slots[static_cast<size_t>(b)] = slot;
      const double prob = tree_.get(slot) / total;
      const double wi = std::pow(static_cast<double>(transitions_) * prob, -beta);
      w[b] = static_cast<float>(wi);
      wmax = std::max(wmax, wi);
    }
    for (int64_t b = 0; b < batch; ++b) w[b] = static_cast<float>(w[b] / wmax);
  } else {
    // Uniform over valid slots: draw among the written slots, redraw the few pending and final
    // ones.
    int64_t written = 0;
    for (int64_t f : filled_) written += f;
    for (int64_t b = 0; b < batch; ++b) {
      int64_t slot;
      do {
        int64_t r = gen.randint(0, written);
        int64_t env = 0;
        while (r >= filled_[static_cast<size_t>(env)]) r -= filled_[static_cast<size_t>(env++)];
        slot = env * ring_ + r;
      } while (!(flags_[static_cast<size_t>(slot)] & kValid));
      out.slots[static_cast<size_t>(b)] = slot;
      w[b] = 1.0f;
    }
  }
  float* o = out.obs.data<float>();
  float* no = out.next_obs.data<float>();
  float* ret = out.returns.data<float>();
  float* disc = out.discounts.data<float>();
  for (int64_t b = 0; b < batch; ++b) {
    const int64_t slot = out.slots[static_cast<size_t>(b)];
    const NStep t = n_step_target(slot);
    copy_obs(slot, o + b * opt_.obs_dim);
    copy_obs(t.next_slot, no + b * opt_.obs_dim);
    const float* act = &actions_[static_cast<size_t>(slot * action_width_)];
    if (opt_.action_dim > 0)
      std::memcpy(out.actions.data<float>() + b * action_width_, act,
                  static_cast<size_t>(action_width_) * sizeof(float));
    else
      out.actions.data<int64_t>()[b] = static_cast<int64_t>(*act);
    ret[b] = static_cast<float>(t.ret);
    disc[b] = static_cast<float>(t.discount);
  }
}

void ReplayBuffer::update_priorities(std::span<const int64_t> slots, std::span<const float> td_abs,
                                     double eps) {
  if (!opt_.prioritized) return;
  for (size_t k = 0; k < slots.size(); ++k) {
    const double p = static_cast<double>(td_abs[k]) + eps;
    max_priority_ = std::max(max_priority_, p);
    // A slot overwritten since it was sampled keeps its new state (priority 0 if pending).
    if (flags_[static_cast<size_t>(slots[k])] & kValid)
      tree_.set(slots[k], std::pow(p, opt_.alpha));
  }
}

namespace {

// Loading: true when this scope's tensor `name` is float32.
bool saved_as_floats(const StateIO& io, const std::string& name) {
  for (const auto& [n, t] : io.scoped_tensors())
    if (n == name) return t.dtype() == Dtype::Float32;
  return false;
}

}  // namespace

void ReplayBuffer::state(StateIO& io) {
  const int64_t slots = n_envs_ * ring_;
  const auto n = static_cast<size_t>(n_envs_);
  // Saving reads the members; loading fills these copies, checked as a whole before any member
  // changes.
  int64_t n_envs = n_envs_, ring = ring_, transitions = transitions_;
  double max_priority = max_priority_;
  std::vector<int64_t> pos = pos_, filled = filled_, started(started_.begin(), started_.end());
  std::vector<float> loaded_obs, loaded_actions, loaded_rewards;
  std::vector<uint8_t> loaded_pixels;
  std::vector<float>& obs = io.loading() ? loaded_obs : obs_;
  std::vector<uint8_t>& pixels = io.loading() ? loaded_pixels : pixels_;
  std::vector<float>& actions = io.loading() ? loaded_actions : actions_;
  std::vector<float>& rewards = io.loading() ? loaded_rewards : rewards_;
  std::vector<int64_t> flags(flags_.begin(), flags_.end());

  io.integer("n_envs", n_envs, 1, kMaxCounter);
  io.integer("slots_per_env", ring, 1, kMaxCounter);
  if (n_envs != n_envs_ || ring != ring_) {
    // The saved transitions fill rings of their own size: a run that changed buffer_size (or
    // n_envs) cannot take them. The user's settings, not the layout, say what to do.
    const int64_t saved = n_envs * ring;
    io.fail(str("the checkpoint's replay buffer holds ", saved, " slots (buffer_size ", saved,
                n_envs == 1 ? "" : str(" over ", n_envs, " envs"),
                "), but this run's buffer_size is ", opt_.capacity,
                n_envs_ == 1 ? "" : str(" over ", n_envs_, " envs"),
                "; a resumed run keeps the buffer it saved: resume with buffer_size ", saved,
                n_envs != n_envs_ ? str(" and n_envs ", n_envs) : "",
                " (leave out --set buffer_size), or start a new run to use another size"));
  }
  io.integers("pos", pos, n, 0, ring_ - 1);
  io.integers("filled", filled, n, 0, ring_);
  io.integers("started", started, n, 0, 1);
  for (size_t e = 0; e < n; ++e) {
    // A started stream has written its pending slot (pos < filled, or the ring is full); an
    // unstarted one has written nothing.
    const bool ok = started[e] ? pos[e] < filled[e] : pos[e] == 0 && filled[e] == 0;
    if (!ok)
      io.fail(str("replay env ", e, " has pos ", pos[e], ", filled ", filled[e], " and started ",
                  started[e],
                  ", which no buffer reaches (expected pos < filled when started, both 0 "
                  "otherwise)"));
  }
  io.number("max_priority", max_priority, 0.0);
  io.integer("transitions", transitions, 0, slots);

  // Observations are copied into network inputs: finite, and one-hot indices in range.
  if (opt_.pixels && io.loading() && saved_as_floats(io, "obs")) {
    // Checkpoints written before image rows were kept as bytes hold the rows as floats k / 255.
    const Tensor t = io.get("obs", Dtype::Float32, {slots, stored_dim_});
    const float* p = t.data<float>();
    pixels.resize(static_cast<size_t>(t.numel()));
    for (int64_t i = 0; i < t.numel(); ++i) {
      const long k = std::lrint(p[i] * 255.0f);
      if (k < 0 || k > 255 || static_cast<float>(k) / 255.0f != p[i])
        io.fail(str("tensor 'replay.obs' element ", i, " is ", p[i],
                    ", expected a pixel k / 255 for k in [0, 255]"));
      pixels[static_cast<size_t>(i)] = static_cast<uint8_t>(k);
    }
  } else if (opt_.pixels) {
    io.tensor("obs", pixels, {slots, stored_dim_});  // any byte is a pixel
  } else
    io.tensor("obs", obs, {slots, stored_dim_});
  if (io.loading() && opt_.one_hot > 0) {
    for (int64_t i = 0; i < slots; ++i) {
      const float o = obs[static_cast<size_t>(i)];
      if (!(o >= 0.0f && o < static_cast<float>(opt_.one_hot)) || std::floor(o) != o)
        io.fail(str("tensor 'replay.obs' element ", i, " is ", o,
                    ", expected a state index in [0, ", opt_.one_hot, ")"));
    }
  }
  if (opt_.action_dim > 0) {
    io.tensor("actions", actions, {slots, opt_.action_dim});  // finite: checked by tensor()
  } else if (io.loading()) {
    auto index = io.get_integers("actions", slots, 0, opt_.n_actions - 1);
    actions.assign(index.begin(), index.end());
  } else {
    io.put("actions", from_vector(std::vector<int64_t>(actions.begin(), actions.end()), {slots}));
  }
  io.tensor("rewards", rewards, {slots});
  if (io.loading())
    flags = io.get_integers("flags", slots, 0, kValid | kDone | kTerminated | kFinal);
  else
    io.put("flags", from_vector(flags, {slots}));
  std::vector<double> leaves;
  if (opt_.prioritized) {
    if (!io.loading()) leaves = tree_.leaves();
    io.tensor("priorities", leaves, {slots});
  }
  if (!io.loading()) return;

  // Sampling draws among the written slots of each ring until it finds a valid one, so a valid
  // slot must lie in the written part, and the count must match the flags.
  int64_t valid = 0;
  for (int64_t slot = 0; slot < slots; ++slot) {
    if (!(flags[static_cast<size_t>(slot)] & kValid)) continue;
    ++valid;
    const int64_t e = slot / ring_, p = slot % ring_;
    if (p >= filled[static_cast<size_t>(e)])
      io.fail(str("replay slot ", slot, " is marked valid but env ", e, " has written only ",
                  filled[static_cast<size_t>(e)], " slots"));
  }
  if (valid != transitions)
    io.fail(str("field 'replay.transitions' is ", transitions, ", but ", valid,
                " slots are marked valid"));
  // Only valid slots may be drawn: a positive priority exactly where a transition is.
  for (size_t slot = 0; slot < leaves.size(); ++slot) {
    const bool is_valid = flags[slot] & kValid;
    if (is_valid ? !(leaves[slot] > 0.0) : leaves[slot] != 0.0)
      io.fail(str(
          "tensor 'replay.priorities' element ", slot, " is ", leaves[slot],
          is_valid ? ", expected > 0 for a stored transition" : ", expected 0 for an empty slot"));
  }

  pos_ = std::move(pos);
  filled_ = std::move(filled);
  started_.assign(started.begin(), started.end());
  transitions_ = transitions;
  max_priority_ = max_priority;
  obs_ = std::move(loaded_obs);
  pixels_ = std::move(loaded_pixels);
  actions_ = std::move(loaded_actions);
  rewards_ = std::move(loaded_rewards);
  std::copy(flags.begin(), flags.end(), flags_.begin());
  if (opt_.prioritized) tree_.set_leaves(leaves);
}

}  // namespace rein::rl::internal
